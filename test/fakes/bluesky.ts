import { FakeHttpServer, type FakeRequest, type FakeResponse } from './http.js';

export interface PostRecordJson {
  $type: 'app.bsky.feed.post';
  text: string;
  createdAt: string;
  langs?: string[];
  facets?: Array<{ index: { byteStart: number; byteEnd: number }; features: Array<Record<string, unknown>> }>;
  tags?: string[];
  reply?: { parent: { uri: string; cid: string }; root: { uri: string; cid: string } };
}

export interface PostSpec {
  rkey: string;
  text: string;
  createdAt: string;
  /** Every `#word` of the text gets a tag facet (with UTF-8 byte offsets, as clients compute them). */
  facetTags?: boolean;
  /** Hidden tags (`record.tags`). */
  tags?: string[];
  langs?: string[];
  replyTo?: string;
}

/** A post record as a client writes it: tag facets over each `#word`, offsets in UTF-8 bytes. */
export function postRecord(spec: PostSpec): PostRecordJson {
  const facets = [...spec.text.matchAll(/#([\p{L}\p{N}_]+)/gu)].map((match) => {
    const byteStart = Buffer.byteLength(spec.text.slice(0, match.index), 'utf8');
    return {
      index: { byteStart, byteEnd: byteStart + Buffer.byteLength(match[0], 'utf8') },
      features: [{ $type: 'app.bsky.richtext.facet#tag', tag: match[1]! }],
    };
  });
  return {
    $type: 'app.bsky.feed.post',
    text: spec.text,
    createdAt: spec.createdAt,
    langs: spec.langs ?? ['kk'],
    ...(spec.facetTags === false || facets.length === 0 ? {} : { facets }),
    ...(spec.tags ? { tags: spec.tags } : {}),
    ...(spec.replyTo
      ? { reply: { parent: { uri: spec.replyTo, cid: 'bafyparent' }, root: { uri: spec.replyTo, cid: 'bafyparent' } } }
      : {}),
  };
}

export const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
export const postUri = (did: string, rkey: string) => `at://${did}/app.bsky.feed.post/${rkey}`;

/** A `postView` as the AppView answers it (app.bsky.feed.defs#postView). */
export function postView(spec: PostSpec & { did?: string; handle?: string; indexedAt?: string }) {
  const did = spec.did ?? DID;
  return {
    uri: postUri(did, spec.rkey),
    cid: `bafyrei${spec.rkey}`,
    author: { did, handle: spec.handle ?? 'aigerim.bsky.social', displayName: 'Айгерім', labels: [] },
    record: postRecord(spec),
    replyCount: 1,
    repostCount: 2,
    likeCount: 5,
    quoteCount: 0,
    indexedAt: spec.indexedAt ?? spec.createdAt,
    labels: [],
  };
}

/** `count` posts with `#tag`, one a minute from 04:00 on 8 March 2026, rkeys `<prefix>0`…. */
export function taggedPosts(tag: string, count: number, prefix = 'p', startMinute = 0) {
  return Array.from({ length: count }, (_, i) =>
    postView({
      rkey: `${prefix}${i}`,
      text: `Көктем 🌷 келді #${tag} ${i}`,
      createdAt: new Date(Date.UTC(2026, 2, 8, 4, startMinute + i)).toISOString(),
    }),
  );
}

const FORBIDDEN_HTML = '<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n</body>\r\n</html>\r\n';

const sortAt = (post: unknown): string => {
  const p = post as { indexedAt?: string; record?: { createdAt?: string } };
  const created = p.record?.createdAt ?? p.indexedAt ?? '';
  return created < (p.indexedAt ?? created) ? created : (p.indexedAt ?? created);
};

const hashtagsOf = (post: unknown): string[] => {
  const record = (post as { record?: Partial<PostRecordJson> }).record ?? {};
  const facetTags = (record.facets ?? []).flatMap((f) => f.features.map((feature) => feature.tag)).filter((t): t is string => typeof t === 'string');
  return [...facetTags, ...(record.tags ?? [])].map((t) => t.toLowerCase());
};

/**
 * A Bluesky PDS with app-password sessions (`createSession`, `refreshSession`, tokens that can be expired on
 * demand) in front of search (`app.bsky.feed.searchPosts`: `q=#tag`, `sort=latest`, `since` inclusive,
 * `until` exclusive on sortAt, an offset `cursor`, `limit` ≤ 100). Unauthenticated search gets the AppView's
 * 403 HTML page; an expired token `ExpiredToken`. Answers carry Bluesky's rate-limit headers (`ratelimit-reset`
 * in epoch seconds).
 */
export class FakeBluesky {
  readonly posts: unknown[] = [];
  sessionsCreated = 0;
  refreshes = 0;
  private readonly validAccess = new Set<string>();
  private readonly validRefresh = new Set<string>();
  private issued = 0;

  private constructor(
    readonly server: FakeHttpServer,
    private readonly account: { identifier: string; appPassword: string },
  ) {}

  static async start(account: { identifier: string; appPassword: string }): Promise<FakeBluesky> {
    let fake!: FakeBluesky;
    fake = new FakeBluesky(await FakeHttpServer.start((request) => fake.respond(request)), account);
    return fake;
  }

  get baseUrl(): string {
    return this.server.baseUrl;
  }

  searchRequests(): URL[] {
    return this.server.requestsTo('/xrpc/app.bsky.feed.searchPosts').map((r) => r.url);
  }

  /** Every access token issued so far stops working, as they do after two hours. */
  expireAccessTokens(): void {
    this.validAccess.clear();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  respond(request: FakeRequest): FakeResponse {
    const headers = {
      'ratelimit-limit': '3000',
      'ratelimit-remaining': '2999',
      'ratelimit-reset': String(Math.floor(Date.now() / 1000) + 300),
      'ratelimit-policy': '3000;w=300',
    };
    const answer = (status: number, body: unknown): FakeResponse => ({ status, headers, body });
    switch (request.url.pathname) {
      case '/xrpc/com.atproto.server.createSession': {
        const { identifier, password } = JSON.parse(request.body || '{}') as { identifier?: string; password?: string };
        if (identifier !== this.account.identifier || password !== this.account.appPassword) {
          return answer(401, { error: 'AuthenticationRequired', message: 'Invalid identifier or password' });
        }
        this.sessionsCreated += 1;
        return answer(200, { ...this.issue(), did: DID, handle: this.account.identifier, active: true });
      }
      case '/xrpc/com.atproto.server.refreshSession': {
        const token = bearer(request);
        if (!token || !this.validRefresh.delete(token)) return answer(400, { error: 'ExpiredToken', message: 'Token has expired' });
        this.refreshes += 1;
        return answer(200, { ...this.issue(), did: DID, handle: this.account.identifier });
      }
      case '/xrpc/app.bsky.feed.searchPosts': {
        const token = bearer(request);
        if (!token) return { status: 403, headers: { 'content-type': 'text/html' }, body: FORBIDDEN_HTML };
        if (!this.validAccess.has(token)) return answer(400, { error: 'ExpiredToken', message: 'Token has expired' });
        return answer(200, this.search(request.url.searchParams));
      }
      default:
        return answer(501, { error: 'MethodNotImplemented', message: 'Method Not Implemented' });
    }
  }

  private issue() {
    this.issued += 1;
    const tokens = { accessJwt: `access-${this.issued}`, refreshJwt: `refresh-${this.issued}` };
    this.validAccess.add(tokens.accessJwt);
    this.validRefresh.add(tokens.refreshJwt);
    return tokens;
  }

  private search(params: URLSearchParams) {
    const q = params.get('q') ?? '';
    if (!q.startsWith('#')) return { posts: [] };
    const tag = q.slice(1).toLowerCase();
    const since = params.get('since');
    const until = params.get('until');
    const hits = this.posts
      .filter((post) => hashtagsOf(post).includes(tag))
      .filter((post) => (!since || sortAt(post) >= since) && (!until || sortAt(post) < until))
      .sort((a, b) => (sortAt(b) > sortAt(a) ? 1 : sortAt(b) < sortAt(a) ? -1 : 0));
    const offset = Number(params.get('cursor') ?? 0);
    const limit = Math.min(Number(params.get('limit') ?? 25), 100);
    const posts = hits.slice(offset, offset + limit);
    return { posts, hitsTotal: hits.length, ...(offset + limit < hits.length ? { cursor: String(offset + limit) } : {}) };
  }
}

function bearer(request: FakeRequest): string | undefined {
  return /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
}

/** Bluesky's answer to too many requests: 429 with the reset in epoch seconds. */
export function blueskyRateLimited(resetInSeconds: number): FakeResponse {
  return {
    status: 429,
    headers: {
      'ratelimit-limit': '3000',
      'ratelimit-remaining': '0',
      'ratelimit-reset': String(Math.floor(Date.now() / 1000) + resetInSeconds),
      'ratelimit-policy': '3000;w=300',
    },
    body: { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' },
  };
}
