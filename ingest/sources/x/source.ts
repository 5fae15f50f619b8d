import type { SourceConfig } from '../../../schemas/index.js';
import { HttpError, jsonBody, snippet, type HttpResponse } from '../../framework/http.js';
import { tryParseJson } from '../../framework/json.js';
import { LimitReachedError, normaliseTags, PageBuilder, SourceSetupError, type ItemParts, type PollingSource, type SourceContext } from '../../framework/source.js';
import { comparePositions, tagSourceWithReplies, ThreadFollower, type RepliesFetcher, type TagOrRepliesCursor } from '../../framework/threads.js';
import { newestFirst, type TimelineFetch, type TimelineRequest } from '../../framework/timeline.js';
import { hashtagsOf, RecentSearchResponse, XProblem, XTweet, XUser } from './schema.js';

export type XConfig = Extract<SourceConfig, { type: 'x' }>;

export const DEFAULT_X_API = 'https://api.x.com';
const DAY_MS = 86_400_000;
/** Recent search reaches back seven days; a margin keeps a `start_time` inside the window when the request arrives. */
const WINDOW_MS = 7 * DAY_MS;
const WINDOW_MARGIN_MS = 60_000;
/** Recent search's page maximum and query length (pay-per-use and Basic access: 512 characters). */
const PAGE_SIZE = 100;
export const MAX_QUERY_LENGTH = 512;
const TWEET_FIELDS = 'created_at,author_id,conversation_id,lang,note_tweet,referenced_tweets,entities,public_metrics';
const TWITTER_EPOCH_MS = 1_288_834_974_657n;

/** When a post was created, from its id (a snowflake: milliseconds since X's epoch in the high bits). */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + TWITTER_EPOCH_MS);
}

/** The replies of these conversations (not reposts), as one search query. */
export function conversationQuery(conversations: readonly string[]): string {
  return `(${conversations.map((id) => `conversation_id:${id}`).join(' OR ')}) -is:retweet`;
}

/** How many of the conversations (in order) fit in one query. */
export function conversationsPerQuery(conversations: readonly string[], maxLength = MAX_QUERY_LENGTH): number {
  let n = 0;
  while (n < conversations.length && conversationQuery(conversations.slice(0, n + 1)).length <= maxLength) n++;
  return Math.max(1, n);
}

/**
 * Where a search starts: after `since` (`since_id`) when that post is still inside the seven-day window,
 * otherwise at the window's start (`start_time`), and the posts between are out of reach for good.
 */
export function searchWindow(since: string | undefined, nowMs: number): { since_id?: string; start_time?: string; gapSince?: string } {
  if (since === undefined) return {};
  const windowStart = nowMs - WINDOW_MS + WINDOW_MARGIN_MS;
  if (snowflakeTime(since) > windowStart) return { since_id: since };
  return { start_time: new Date(windowStart).toISOString().replace(/\.\d{3}Z$/, 'Z'), gapSince: new Date(snowflakeTime(since)).toISOString() };
}

/**
 * X API v2 recent search (`GET /2/tweets/search/recent`, bearer token), `#tag -is:retweet`, one query per tag,
 * with authors expanded (`expansions=author_id`), and the replies of every matched conversation, followed for
 * `followRepliesDays` (at most the seven days recent search reaches) through `conversation_id:` searches
 * batched up to the query length.
 *
 * Paging: newest first with `next_token`; the high-water mark is the newest post id, passed as `since_id` (the
 * server cuts the result set there). A mark older than the seven-day window is replaced by `start_time`, with a
 * warning: what fell out of the window meanwhile cannot be collected any more. Rate limits: a 429 is waited
 * out until `x-rate-limit-reset` whichever of X's two body shapes it has; a usage cap (also a 429, with a
 * `usage-capped` problem) ends the run; 401/403 stop the source with what to fix.
 */
export function createXSource(config: XConfig, context: SourceContext): PollingSource<TagOrRepliesCursor> {
  const token = context.env[config.bearerTokenEnv];
  if (!token) throw new SourceSetupError(`source ${config.name}: set ${config.bearerTokenEnv} to the bearer token of your X developer app`);
  const base = new URL(config.baseUrl ?? DEFAULT_X_API);
  const tracked = normaliseTags(context.tags);
  const follower = new ThreadFollower({ followForMs: config.followRepliesDays * DAY_MS, clock: context.clock, log: context.log });

  const inspect = (response: HttpResponse) => {
    if (response.status !== 429) return;
    const problem = XProblem.safeParse(tryParseJson(response.body));
    const capped = problem.success && (problem.data.title === 'UsageCapExceeded' || (problem.data.type ?? '').includes('usage-capped'));
    if (capped) throw new LimitReachedError(`X usage cap reached (${problem.data.detail ?? problem.data.period ?? 'cap'}): no more posts can be read until the cap period renews`);
  };

  /** One page of recent search: the query's posts after `since`, newest first. */
  const search = async (query: string, since: string | undefined, next: string | undefined, signal: AbortSignal, map: (tweet: XTweet, users: Map<string, string>) => ItemParts | undefined, origin: Record<string, string>): Promise<TimelineFetch> => {
    const url = new URL('/2/tweets/search/recent', base);
    const window = searchWindow(since, context.clock.now());
    if (window.gapSince) context.log.warn('the high-water mark fell out of the seven-day window: posts between it and the window start are lost', { query, mark: window.gapSince, start_time: window.start_time });
    url.search = new URLSearchParams({
      query,
      max_results: String(PAGE_SIZE),
      'tweet.fields': TWEET_FIELDS,
      expansions: 'author_id',
      'user.fields': 'username,name',
      ...(window.since_id ? { since_id: window.since_id } : {}),
      ...(window.start_time ? { start_time: window.start_time } : {}),
      ...(next ? { next_token: next } : {}),
    }).toString();
    const response = await context.http.request(url, { signal, inspect, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    if (response.status !== 200) throw refusal(response, config.bearerTokenEnv);
    const body = jsonBody(response, RecentSearchResponse);
    if (body.errors?.length) context.log.warn('X answered with partial errors', { query, errors: body.errors.slice(0, 5) });
    const users = new Map<string, string>();
    for (const raw of body.includes.users) {
      const user = XUser.safeParse(raw);
      if (user.success) users.set(user.data.id, user.data.username);
    }
    const page = new PageBuilder({ sourceName: config.name, platform: 'x', clock: context.clock });
    body.data.forEach((raw, index) => page.add(raw, XTweet, (tweet) => map(tweet, users), { ...origin, index, next_token: next ?? '' }));
    return { page, newest: body.meta.newest_id, older: body.meta.result_count > 0 ? body.meta.next_token : undefined };
  };

  const fetchTag = newestFirst(({ query: tag, highWater, next, signal }: TimelineRequest) =>
    search(`#${tag} -is:retweet`, highWater, next, signal, (tweet, users) => {
      const ours = tracked.filter((t) => hashtagsOf(tweet).some((tag) => tag.toLowerCase() === t));
      if (ours.length === 0) return undefined;
      const query = ours.includes(tag) ? tag : ours[0]!;
      follower.follow(tweet.conversation_id, new Date(snowflakeTime(tweet.conversation_id)).toISOString(), query);
      return tweetParts(tweet, users, query);
    }, { tag }),
  );

  const replies: RepliesFetcher = {
    batchSize: (threads) => conversationsPerQuery(threads),
    initialSince: (thread) => thread,
    fetchReplies: ({ threads, since, next, signal }) =>
      search(conversationQuery(threads), since, next, signal, (tweet, users) => {
        // A batch reads from its oldest mark: what another conversation of the batch already had is skipped.
        const mark = follower.get(tweet.conversation_id)?.since ?? tweet.conversation_id;
        if (comparePositions(tweet.id, mark) <= 0) return undefined;
        return tweetParts(tweet, users, follower.get(tweet.conversation_id)?.tag);
      }, { conversations: threads.join(',') }),
  };

  return tagSourceWithReplies({ name: config.name, platform: 'x', tags: tracked, fetchTag, follower, replies });
}

function tweetParts(tweet: XTweet, users: Map<string, string>, query: string | undefined): ItemParts {
  const handle = users.get(tweet.author_id);
  const parent = tweet.referenced_tweets?.find((r) => r.type === 'replied_to')?.id;
  const metrics = tweet.public_metrics;
  return {
    platformId: tweet.id,
    query,
    item: {
      text: tweet.note_tweet?.text ?? tweet.text,
      createdAt: tweet.created_at,
      author: { id: tweet.author_id, handle },
      tags: hashtagsOf(tweet),
      url: `https://x.com/${handle ?? 'i/web'}/status/${tweet.id}`,
      platformLang: tweet.lang && tweet.lang !== 'und' && tweet.lang !== 'qme' ? tweet.lang : undefined,
      replyTo: parent ? { platformId: parent } : undefined,
      threadId: tweet.conversation_id,
      engagement: metrics ? { likes: metrics.like_count, shares: metrics.retweet_count + (metrics.quote_count ?? 0), replies: metrics.reply_count, views: metrics.impression_count } : undefined,
    },
  };
}

/** A non-200 answer after retries: what the problem says, and for 401/403 what to fix. */
function refusal(response: HttpResponse, tokenEnv: string): Error {
  const problem = XProblem.safeParse(tryParseJson(response.body));
  const said = problem.success ? (problem.data.detail ?? problem.data.title ?? problem.data.errors?.[0]?.message ?? snippet(response.body)) : snippet(response.body);
  if (response.status === 401) return new SourceSetupError(`X refused the bearer token in ${tokenEnv} (401: ${said}); regenerate it in the developer portal`);
  if (response.status === 403) {
    return new SourceSetupError(`X refused recent search (403${problem.success && problem.data.reason ? ` ${problem.data.reason}` : ''}: ${said}); the app must belong to a project with recent-search access`);
  }
  return new HttpError(response, `X answered ${response.status}: ${said}`);
}
