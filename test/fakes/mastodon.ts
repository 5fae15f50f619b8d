import { FakeHttpServer, type FakeRequest, type FakeResponse } from './http.js';

/** A status as Mastodon's REST API serialises it (docs.joinmastodon.org/entities/Status), with the fields Tagpulse reads and a few it does not. */
export interface MastodonStatusJson {
  id: string;
  uri: string;
  url: string | null;
  created_at: string;
  content: string;
  spoiler_text: string;
  visibility: 'public';
  sensitive: boolean;
  language: string | null;
  account: { id: string; acct: string; username: string; display_name: string; url: string };
  tags: Array<{ name: string; url: string }>;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  replies_count: number;
  reblogs_count: number;
  favourites_count: number;
  reblog: MastodonStatusJson | null;
  media_attachments: unknown[];
  mentions: unknown[];
  emojis: unknown[];
}

export interface StatusSpec {
  /** The answering instance's local id (a Snowflake-like number). */
  id: string;
  /** The ActivityPub id; defaults to one on `home`. */
  uri?: string;
  createdAt: string;
  content: string;
  tags: string[];
  acct?: string;
  home?: string;
  inReplyToId?: string;
  reblog?: MastodonStatusJson;
  language?: string | null;
}

export function mastodonStatus(spec: StatusSpec): MastodonStatusJson {
  const home = spec.home ?? 'kz.example';
  const username = (spec.acct ?? 'aigerim').split('@')[0]!;
  const uri = spec.uri ?? `https://${home}/users/${username}/statuses/${spec.id}`;
  return {
    id: spec.id,
    uri,
    url: uri.replace('/users/', '/@').replace('/statuses/', '/'),
    created_at: spec.createdAt,
    content: spec.content,
    spoiler_text: '',
    visibility: 'public',
    sensitive: false,
    language: spec.language === undefined ? 'kk' : spec.language,
    account: { id: `acc-${username}`, acct: spec.acct ?? username, username, display_name: username, url: `https://${home}/@${username}` },
    tags: spec.tags.map((name) => ({ name, url: `https://${home}/tags/${encodeURIComponent(name)}` })),
    in_reply_to_id: spec.inReplyToId ?? null,
    in_reply_to_account_id: spec.inReplyToId ? 'acc-parent' : null,
    replies_count: 1,
    reblogs_count: 2,
    favourites_count: 3,
    reblog: spec.reblog ?? null,
    media_attachments: [],
    mentions: [],
    emojis: [],
  };
}

/**
 * `count` statuses tagged `tag`, ids `firstId`… increasing with time (as Mastodon's are), content in HTML.
 * `home` gives the uris their instance (the same post on two instances has one uri and two ids).
 */
export function taggedStatuses(tag: string, count: number, firstId = 110_000_000_000_000_000n, home = 'kz.example'): MastodonStatusJson[] {
  return Array.from({ length: count }, (_, i) =>
    mastodonStatus({
      id: String(firstId + BigInt(i)),
      home,
      createdAt: new Date(Date.UTC(2026, 2, 8, 4, 0, i)).toISOString(),
      content: `<p>Пост ${i} <a href="https://${home}/tags/${encodeURIComponent(tag)}" class="mention hashtag" rel="tag">#<span>${tag}</span></a></p>`,
      tags: [tag],
    }),
  );
}

export interface FakeMastodonOptions {
  /**
   * Tag timelines for logged-in accounts only (an instance whose `local_topic_feed_access` /
   * `remote_topic_feed_access` is not public): a timeline request without `Authorization: Bearer <this token>`
   * is refused as Mastodon's `require_user!` refuses it. Status lookups stay public.
   */
  requireToken?: string;
  /** The refusal's status: 401 as current Mastodon answers, 422 as older versions did. */
  refusalStatus?: 401 | 422;
}

/** Mastodon's answer to a request that needs a logged-in account and has none. */
export const MASTODON_LOGIN_REQUIRED = { error: 'This method requires an authenticated user' };

/**
 * A Mastodon instance's hashtag timelines and status lookup, paged as Mastodon pages them: newest first,
 * `max_id` / `since_id` / `min_id` / `limit` (≤ 40), and a `Link` header with `rel="next"` (max_id = the
 * page's oldest id) and `rel="prev"` (min_id = its newest) on every non-empty page. Every answer carries
 * Mastodon's rate-limit headers (`X-RateLimit-Reset` is an ISO date). A tag's timeline shows the statuses
 * whose tags (or whose boosted original's tags) include it. Statuses are stored as given, so a test can slip
 * a malformed one among good ones, and can add more while the fake runs (new posts between runs). With
 * `requireToken` its tag timelines are for logged-in accounts only, as on instances that keep them so.
 */
export class FakeMastodon {
  private readonly statuses: unknown[] = [];

  private constructor(
    readonly server: FakeHttpServer,
    private readonly options: FakeMastodonOptions,
  ) {}

  static async start(options: FakeMastodonOptions = {}): Promise<FakeMastodon> {
    let fake!: FakeMastodon;
    fake = new FakeMastodon(await FakeHttpServer.start((request) => fake.respond(request)), options);
    return fake;
  }

  get baseUrl(): string {
    return this.server.baseUrl;
  }

  add(...statuses: unknown[]): void {
    this.statuses.push(...statuses);
  }

  /** The requests for one tag's timeline, decoded. */
  timelineRequests(tag: string): URL[] {
    return this.server.requestsTo(`/api/v1/timelines/tag/${encodeURIComponent(tag.toLowerCase())}`).map((r) => r.url);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /** The instance's answer, for tests that wrap it (e.g. to add headers). */
  respond(request: FakeRequest): FakeResponse {
    const headers = {
      'X-RateLimit-Limit': '300',
      'X-RateLimit-Remaining': '299',
      'X-RateLimit-Reset': new Date(Math.ceil(Date.now() / 300_000) * 300_000).toISOString(),
    };
    const timeline = /^\/api\/v1\/timelines\/tag\/([^/]+)$/.exec(request.url.pathname);
    if (timeline && this.options.requireToken !== undefined && request.headers.authorization !== `Bearer ${this.options.requireToken}`) {
      return { status: this.options.refusalStatus ?? 401, headers, body: MASTODON_LOGIN_REQUIRED };
    }
    if (timeline) return { headers: { ...headers, ...this.link(request, timeline[1]!) }, body: this.page(request) };
    const status = /^\/api\/v1\/statuses\/([^/]+)$/.exec(request.url.pathname);
    if (status) {
      const found = this.statuses.find((s) => (s as { id?: string }).id === decodeURIComponent(status[1]!));
      return found ? { headers, body: found } : { status: 404, headers, body: { error: 'Record not found' } };
    }
    return { status: 404, headers, body: { error: 'Record not found' } };
  }

  private page(request: FakeRequest): unknown[] {
    const tag = decodeURIComponent(/\/tag\/([^/]+)$/.exec(request.url.pathname)![1]!).toLowerCase();
    const params = request.url.searchParams;
    const limit = Math.min(Number(params.get('limit') ?? 20), 40);
    const idOf = (s: unknown) => BigInt((s as { id?: string }).id ?? '0');
    let statuses = this.statuses
      .filter((s) => tagsOf(s).includes(tag) || tagsOf((s as { reblog?: unknown }).reblog).includes(tag))
      .sort((a, b) => (idOf(b) > idOf(a) ? 1 : idOf(b) < idOf(a) ? -1 : 0));
    const maxId = params.get('max_id');
    const sinceId = params.get('since_id');
    const minId = params.get('min_id');
    if (maxId) statuses = statuses.filter((s) => idOf(s) < BigInt(maxId));
    if (sinceId) statuses = statuses.filter((s) => idOf(s) > BigInt(sinceId));
    if (minId) return statuses.filter((s) => idOf(s) > BigInt(minId)).slice(-limit);
    return statuses.slice(0, limit);
  }

  private link(request: FakeRequest, encodedTag: string): Record<string, string> {
    const page = this.page(request) as Array<{ id?: string }>;
    if (page.length === 0) return {};
    const base = `${this.baseUrl}/api/v1/timelines/tag/${encodedTag}`;
    return { Link: `<${base}?max_id=${page.at(-1)!.id}>; rel="next", <${base}?min_id=${page[0]!.id}>; rel="prev"` };
  }
}

function tagsOf(status: unknown): string[] {
  const tags = (status as { tags?: Array<{ name: string }> } | null)?.tags ?? [];
  return tags.map((t) => t.name.toLowerCase());
}

/** Mastodon's answer when the window is used up: 429 with its reset as an ISO date. */
export function mastodonRateLimited(resetInMs: number): FakeResponse {
  return {
    status: 429,
    headers: { 'X-RateLimit-Limit': '300', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': new Date(Date.now() + resetInMs).toISOString() },
    body: { error: 'Too many requests' },
  };
}
