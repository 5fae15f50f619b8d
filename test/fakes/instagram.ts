import { PlatformFake, startFake, type FakeHttpServer, type FakeRequest, type FakeResponse } from './http.js';

export const GRAPH_VERSION = 'v23.0';

export interface FakeMedia {
  id: string;
  caption?: string;
  media_type: 'IMAGE' | 'VIDEO' | 'CAROUSEL_ALBUM';
  permalink: string;
  /** As the Graph API writes it: `2026-03-08T10:00:00+0000`. */
  timestamp: string;
  like_count: number;
  comments_count: number;
}

export const graphTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');

export function media(id: string, ms: number, caption: string): FakeMedia {
  return { id, caption, media_type: 'IMAGE', permalink: `https://www.instagram.com/p/${id}/`, timestamp: graphTime(ms), like_count: 40, comments_count: 3 };
}

/** A Graph API error body, e.g. `graphError(403, 4, 'Application request limit reached')`. */
export function graphError(status: number, code: number, message: string, extra: Record<string, unknown> = {}): FakeResponse {
  return { status, body: { error: { message, type: code === 190 ? 'OAuthException' : 'OAuthException', code, ...extra, fbtrace_id: 'AbCdEfGh123' } } };
}

/**
 * The Instagram Graph API's hashtag search under `/v23.0/`: `ig_hashtag_search?user_id&q` (the hashtag's
 * node id) and `/{hashtag-id}/recent_media?user_id&fields&limit&after` (media of the last 24 hours, newest first,
 * ≤ 50 a page). Paging as the API does it: `paging.cursors.after` and `paging.next` while more remain; the last
 * page repeats the `after` cursor it was asked with and has no `next`. The token comes as a bearer header or
 * `access_token`; an expired one is error 190.
 */
export class FakeInstagram extends PlatformFake {
  /** Media by hashtag (lowercase). */
  readonly media = new Map<string, FakeMedia[]>();

  private constructor(
    server: FakeHttpServer,
    private readonly token: string,
    readonly userId: string,
  ) {
    super(server);
  }

  static start(token: string, userId: string): Promise<FakeInstagram> {
    return startFake((server) => new FakeInstagram(server, token, userId));
  }

  override get baseUrl(): string {
    return `${this.server.baseUrl}/${GRAPH_VERSION}`;
  }

  add(tag: string, ...items: FakeMedia[]): void {
    this.media.set(tag, [...(this.media.get(tag) ?? []), ...items]);
  }

  hashtagSearches(): URLSearchParams[] {
    return this.server.requestsTo(`/${GRAPH_VERSION}/ig_hashtag_search`).map((r) => r.url.searchParams);
  }

  mediaRequests(tag: string): URLSearchParams[] {
    return this.server.requestsTo(`/${GRAPH_VERSION}/${hashtagId(tag)}/recent_media`).map((r) => r.url.searchParams);
  }

  respond(request: FakeRequest): FakeResponse {
    const params = request.url.searchParams;
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? params.get('access_token');
    if (token !== this.token) return graphError(400, 190, 'Error validating access token: Session has expired on Sunday, 08-Mar-26 10:00:00 PST.', { error_subcode: 463 });
    if (params.get('user_id') !== this.userId) return graphError(400, 100, 'Invalid user id', { error_subcode: 33 });
    if (request.url.pathname === `/${GRAPH_VERSION}/ig_hashtag_search`) {
      const q = (params.get('q') ?? '').toLowerCase();
      return { body: { data: q ? [{ id: hashtagId(q) }] : [] } };
    }
    const id = new RegExp(`^/${GRAPH_VERSION}/(\\d+)/recent_media$`).exec(request.url.pathname)?.[1];
    if (!id) return graphError(400, 100, 'Unsupported get request.', { error_subcode: 33 });
    const tag = [...this.media.keys()].find((t) => hashtagId(t) === id);
    const since = Date.now() - 86_400_000;
    const all = (tag ? this.media.get(tag)! : [])
      .filter((m) => Date.parse(String(m.timestamp).replace(/(\d\d)(\d\d)$/, '$1:$2')) > since || m.timestamp === undefined)
      .sort((a, b) => String(b.timestamp).localeCompare(String(a.timestamp)));
    const after = params.get('after');
    const offset = after ? Number(Buffer.from(after, 'base64').toString('utf8').slice(1)) : 0;
    const limit = Math.min(Number(params.get('limit') ?? 25), 50);
    const data = all.slice(offset, offset + limit);
    const more = offset + limit < all.length;
    const cursor = more ? Buffer.from(`o${offset + limit}`).toString('base64') : (after ?? Buffer.from('o0').toString('base64'));
    const next = new URL(request.url);
    next.searchParams.set('after', cursor);
    next.searchParams.set('access_token', 'EAAG…');
    return { body: { data, paging: { cursors: { after: cursor }, ...(more ? { next: next.href } : {}) } } };
  }
}

/** A stable numeric node id per hashtag, as Instagram's are. */
export function hashtagId(tag: string): string {
  let hash = 17841400000000000n;
  for (const byte of Buffer.from(tag.toLowerCase())) hash = (hash * 31n + BigInt(byte)) % 10n ** 17n;
  return String(hash);
}
