import { expectOk, HttpError, jsonBody, snippet, type HttpClient, type HttpResponse } from '../../framework/http.js';
import { tryParseJson } from '../../framework/json.js';
import { SourceSetupError } from '../../framework/source.js';
import { Session, XrpcError } from './schema.js';

/** Where the app password comes from (env var names, for error messages) and, when set, its values. */
export interface BlueskyAuth {
  identifierEnv: string;
  appPasswordEnv: string;
  credentials?: { identifier: string; appPassword: string };
}

/**
 * XRPC queries to a Bluesky PDS or AppView, with an app-password session: `com.atproto.server.createSession`
 * once per process (its own rate limit is tight, so sessions are reused), `refreshSession` when the access
 * token expires (`ExpiredToken`), and a fresh session when the refresh token has expired too.
 */
export class BlueskyXrpc {
  private session: Session | undefined;

  constructor(
    private readonly baseUrl: URL,
    private readonly auth: BlueskyAuth,
    private readonly http: HttpClient,
  ) {}

  async query(nsid: string, params: URLSearchParams, signal: AbortSignal): Promise<HttpResponse> {
    if (this.auth.credentials && !this.session) this.session = await this.createSession(this.auth.credentials, signal);
    let response = await this.get(nsid, params, signal);
    if (this.session && xrpcErrorName(response) === 'ExpiredToken') {
      this.session = await this.refreshSession(this.session, signal);
      response = await this.get(nsid, params, signal);
    }
    if (response.status === 401 || response.status === 403) throw this.refusal(response);
    return expectOk(response);
  }

  private get(nsid: string, params: URLSearchParams, signal: AbortSignal): Promise<HttpResponse> {
    const url = new URL(`/xrpc/${nsid}?${params}`, this.baseUrl);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.session) headers.authorization = `Bearer ${this.session.accessJwt}`;
    return this.http.request(url, { signal, headers });
  }

  private async createSession(credentials: NonNullable<BlueskyAuth['credentials']>, signal: AbortSignal): Promise<Session> {
    const { identifierEnv, appPasswordEnv } = this.auth;
    const response = await this.http.request(new URL('/xrpc/com.atproto.server.createSession', this.baseUrl), {
      method: 'POST',
      signal,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ identifier: credentials.identifier, password: credentials.appPassword }),
    });
    if (response.status === 401 || response.status === 400) {
      throw new SourceSetupError(
        `Bluesky refused the session for ${credentials.identifier} (${xrpcErrorName(response) ?? response.status}: ${snippet(response.body)}); ` +
          `check ${identifierEnv} (handle or DID) and ${appPasswordEnv} (an app password, not the account password)`,
      );
    }
    return jsonBody(expectOk(response), Session);
  }

  private async refreshSession(session: Session, signal: AbortSignal): Promise<Session> {
    const response = await this.http.request(new URL('/xrpc/com.atproto.server.refreshSession', this.baseUrl), {
      method: 'POST',
      signal,
      headers: { authorization: `Bearer ${session.refreshJwt}`, accept: 'application/json' },
    });
    // The refresh token expires too (after weeks); then only a new session helps.
    if ((response.status === 400 || response.status === 401) && this.auth.credentials) return this.createSession(this.auth.credentials, signal);
    return jsonBody(expectOk(response), Session);
  }

  private refusal(response: HttpResponse): Error {
    const html = (response.headers.get('content-type') ?? '').includes('text/html') || /^\s*</.test(response.body);
    const answer = `${response.status}${html ? ' (an HTML page)' : ` (${xrpcErrorName(response) ?? snippet(response.body)})`}`;
    const { identifierEnv, appPasswordEnv, credentials } = this.auth;
    if (!credentials) {
      return new SourceSetupError(
        `Bluesky answered ${answer} to an unauthenticated search: the AppView does not serve searchPosts without a session. ` +
          `Create an app password (Bluesky settings → Privacy and security → App passwords) and set ${identifierEnv} ` +
          `(your handle or DID) and ${appPasswordEnv}`,
      );
    }
    if (response.status === 401) return new SourceSetupError(`Bluesky did not accept the session of ${credentials.identifier}: ${answer}`);
    return new HttpError(response, `Bluesky refused the search with ${answer} although a session was sent; if baseUrl is a public mirror, point it at your PDS (https://bsky.social)`);
  }
}

function xrpcErrorName(response: HttpResponse): string | undefined {
  if (response.status < 400) return undefined;
  const parsed = XrpcError.safeParse(tryParseJson(response.body));
  return parsed.success ? parsed.data.error : undefined;
}
