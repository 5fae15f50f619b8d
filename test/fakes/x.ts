import { PlatformFake, startFake, type FakeHttpServer, type FakeRequest, type FakeResponse } from './http.js';

const TWITTER_EPOCH = 1_288_834_974_657n;

/** A snowflake post id for a creation time, as X makes them (the low bits a sequence number). */
export function snowflake(ms: number, sequence = 0): string {
  return String(((BigInt(ms) - TWITTER_EPOCH) << 22n) + BigInt(sequence));
}

export interface FakeTweet {
  id: string;
  text: string;
  created_at: string;
  author_id: string;
  conversation_id: string;
  lang?: string;
  referenced_tweets?: Array<{ type: 'replied_to' | 'quoted' | 'retweeted'; id: string }>;
  entities?: { hashtags?: Array<{ start: number; end: number; tag: string }> };
  /** A post over 280 characters: `text` and `entities` cover its first 280, this the whole. */
  note_tweet?: { text: string; entities?: { hashtags?: Array<{ start: number; end: number; tag: string }> } };
  public_metrics?: { retweet_count: number; reply_count: number; like_count: number; quote_count: number; bookmark_count: number; impression_count: number };
  edit_history_tweet_ids: string[];
}

/** The hashtag entities of a text: `#tags`, with their offsets. */
const hashtagsOf = (text: string) => [...text.matchAll(/#([\p{L}\p{N}_]+)/gu)].map((m) => ({ start: m.index, end: m.index + m[0].length, tag: m[1]! }));

/** X's cut of a long post: its first 280 characters in `text`, the whole in `note_tweet`. */
const SHOWN_CHARACTERS = 280;

/**
 * A post as recent search returns it with the collector's `tweet.fields`; `#tags` of the text become entities.
 * A text over 280 characters is cut as X cuts it: `text` and its entities show the first 280, `note_tweet` the
 * whole text with entities of its own.
 */
export function tweet(ms: number, authorId: string, text: string, options: { sequence?: number; replyTo?: string; conversation?: string; lang?: string } = {}): FakeTweet {
  const id = snowflake(ms, options.sequence);
  const long = [...text].length > SHOWN_CHARACTERS;
  const shown = long ? `${[...text].slice(0, SHOWN_CHARACTERS - 1).join('')}…` : text;
  const hashtags = hashtagsOf(shown);
  const whole = hashtagsOf(text);
  return {
    id,
    text: shown,
    ...(long ? { note_tweet: { text, ...(whole.length > 0 ? { entities: { hashtags: whole } } : {}) } } : {}),
    created_at: new Date(ms).toISOString(),
    author_id: authorId,
    conversation_id: options.conversation ?? id,
    lang: options.lang ?? 'kk',
    ...(options.replyTo ? { referenced_tweets: [{ type: 'replied_to' as const, id: options.replyTo }] } : {}),
    ...(hashtags.length > 0 ? { entities: { hashtags } } : {}),
    public_metrics: { retweet_count: 4, reply_count: 1, like_count: 12, quote_count: 1, bookmark_count: 0, impression_count: 300 },
    edit_history_tweet_ids: [id],
  };
}

/** X's 429, in the v2 problem shape or the older `errors` shape, with `x-rate-limit-reset` in epoch seconds. */
export function xRateLimited(resetInSeconds: number, shape: 'problem' | 'errors'): FakeResponse {
  return {
    status: 429,
    headers: {
      'x-rate-limit-limit': '450',
      'x-rate-limit-remaining': '0',
      'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + resetInSeconds),
    },
    body: shape === 'problem' ? { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 } : { errors: [{ code: 88, message: 'Rate limit exceeded' }] },
  };
}

/** X's answer when the project's monthly post cap is spent: a 429 too, but with a usage-capped problem. */
export function xUsageCapped(): FakeResponse {
  return {
    status: 429,
    headers: { 'x-rate-limit-limit': '450', 'x-rate-limit-remaining': '449', 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 900) },
    body: { account_id: 1234, product_name: 'standard-basic', title: 'UsageCapExceeded', period: 'Monthly', scope: 'Product', detail: 'Usage cap exceeded: Monthly product cap', type: 'https://api.twitter.com/2/problems/usage-capped' },
  };
}

/**
 * X API v2 recent search (`GET /2/tweets/search/recent`, bearer token): queries of `#tag`, `conversation_id:…`
 * joined by `OR` (in parentheses) and `-is:retweet`; only the last seven days; `since_id` (refused when older than
 * the window), `start_time`, `max_results` ≤ 100, an opaque `next_token`; authors in `includes.users`; `meta`
 * with `newest_id`, `oldest_id`, `result_count`. A wrong token answers the 401 problem.
 */
export class FakeX extends PlatformFake {
  readonly tweets: FakeTweet[] = [];
  readonly users = new Map<string, string>();

  private constructor(
    server: FakeHttpServer,
    private readonly token: string,
  ) {
    super(server);
  }

  static start(token: string): Promise<FakeX> {
    return startFake((server) => new FakeX(server, token));
  }

  searches(): URLSearchParams[] {
    return this.server.requestsTo('/2/tweets/search/recent').map((r) => r.url.searchParams);
  }

  respond(request: FakeRequest): FakeResponse {
    if (request.headers.authorization !== `Bearer ${this.token}`) {
      return { status: 401, body: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' } };
    }
    if (request.url.pathname !== '/2/tweets/search/recent') return { status: 404, body: { title: 'Not Found Error', type: 'https://api.twitter.com/2/problems/resource-not-found' } };
    const params = request.url.searchParams;
    const windowStart = Date.now() - 7 * 86_400_000;
    const sinceId = params.get('since_id');
    if (sinceId && Number((BigInt(sinceId) >> 22n) + TWITTER_EPOCH) < windowStart) {
      return invalid(`Invalid 'since_id':'${sinceId}'. 'since_id' must be a tweet id created after ${new Date(windowStart).toISOString()}.`);
    }
    const startTime = params.get('start_time');
    if (startTime && Date.parse(startTime) < windowStart) return invalid(`Invalid 'start_time':'${startTime}'. 'start_time' must be on or after ${new Date(windowStart).toISOString()}`);
    const matches = parseQuery(params.get('query') ?? '');
    const hits = this.tweets
      .filter((t) => Date.parse(t.created_at) >= Math.max(windowStart, startTime ? Date.parse(startTime) : 0))
      .filter((t) => !sinceId || BigInt(t.id) > BigInt(sinceId))
      .filter(matches)
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
    const offset = Number(params.get('next_token') ?? '0') || 0;
    const max = Math.min(Number(params.get('max_results') ?? 10), 100);
    const data = hits.slice(offset, offset + max);
    const authors = [...new Set(data.map((t) => t.author_id))].map((id) => ({ id, username: this.users.get(id) ?? `user${id}`, name: 'Аты' }));
    return {
      headers: { 'x-rate-limit-limit': '450', 'x-rate-limit-remaining': '400', 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 900) },
      body: {
        ...(data.length > 0 ? { data, includes: { users: authors } } : {}),
        meta: {
          result_count: data.length,
          ...(data.length > 0 ? { newest_id: data[0]!.id, oldest_id: data.at(-1)!.id } : {}),
          ...(offset + max < hits.length ? { next_token: String(offset + max).padStart(8, '0') } : {}),
        },
      },
    };
  }
}

function invalid(message: string): FakeResponse {
  return { status: 400, body: { errors: [{ parameters: {}, message }], title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.twitter.com/2/problems/invalid-request' } };
}

/** The few operators the collector sends: `#tag`, `conversation_id:ID` (joined by OR), `-is:retweet`. */
function parseQuery(query: string): (tweet: FakeTweet) => boolean {
  const conversations = [...query.matchAll(/conversation_id:(\d+)/g)].map((m) => m[1]!);
  const tags = [...query.matchAll(/#([\p{L}\p{N}_]+)/gu)].map((m) => m[1]!.toLowerCase());
  return (t) =>
    (conversations.length === 0 || conversations.includes(t.conversation_id)) &&
    tags.every((tag) => [...(t.entities?.hashtags ?? []), ...(t.note_tweet?.entities?.hashtags ?? [])].some((h) => h.tag.toLowerCase() === tag));
}
