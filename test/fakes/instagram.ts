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
 * node id) and `/{hashtag-id}/recent_media?user_id&fields&limit&after` (media of the last 24 hours, ≤ 50 a
 * page). As Meta documents it, the listing is not in chronological order (here: ordered by a hash of the id,
 * so new media land on any page) and its `after` cursor is the same string on every page: a request without
 * `after` opens a listing (a snapshot of the tag's media) with its own cursor, and each request with that
 * cursor is served the listing's next page, the progress kept here, out of the client's sight. `paging.next`
 * is present while more remain and absent on the last page (whose `after` is still the same cursor). The
 * token comes as a bearer header or `access_token`; an expired one is error 190.
 */
export class FakeInstagram extends PlatformFake {
  /** Media by hashtag (lowercase). */
  readonly media = new Map<string, FakeMedia[]>();
  /** Open listings by their `after` cursor: the snapshot and how far it has been served. */
  private readonly listings = new Map<string, { items: FakeMedia[]; served: number }>();

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

  /** The tag's media as recent_media lists them now: the last 24 hours, in the API's (non-chronological) order. */
  listing(tag: string): FakeMedia[] {
    const since = Date.now() - 86_400_000;
    return (this.media.get(tag) ?? [])
      .filter((m) => m.timestamp === undefined || Date.parse(String(m.timestamp).replace(/(\d\d)(\d\d)$/, '$1:$2')) > since)
      .map((m) => ({ m, key: scramble(String(m.id)) }))
      .sort((a, b) => a.key - b.key)
      .map(({ m }) => m);
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
    const after = params.get('after');
    let cursor: string;
    if (after === null) {
      const tag = [...this.media.keys()].find((t) => hashtagId(t) === id);
      cursor = Buffer.from(`QVFIU${id}:${this.listings.size + 1}`).toString('base64url');
      this.listings.set(cursor, { items: tag ? this.listing(tag) : [], served: 0 });
    } else {
      cursor = after;
    }
    const listing = this.listings.get(cursor);
    if (!listing) return graphError(400, 100, 'Invalid parameter: after', { error_subcode: 33 });
    const limit = Math.min(Number(params.get('limit') ?? 25), 50);
    const data = listing.items.slice(listing.served, listing.served + limit);
    listing.served += data.length;
    const more = listing.served < listing.items.length;
    const next = new URL(request.url);
    next.searchParams.set('after', cursor);
    next.searchParams.set('access_token', 'EAAG…');
    return { body: { data, paging: { cursors: { after: cursor }, ...(more ? { next: next.href } : {}) } } };
  }
}

/** A fixed pseudo-random order key (FNV-1a of the id): the fake's "not chronological". */
function scramble(id: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(id)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

/** A stable numeric node id per hashtag, as Instagram's are. */
export function hashtagId(tag: string): string {
  let hash = 17841400000000000n;
  for (const byte of Buffer.from(tag.toLowerCase())) hash = (hash * 31n + BigInt(byte)) % 10n ** 17n;
  return String(hash);
}
