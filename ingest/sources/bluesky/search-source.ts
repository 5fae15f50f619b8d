import type { SourceConfig } from '../../../schemas/index.js';
import { jsonBody } from '../../framework/http.js';
import { normaliseTags, PageBuilder, SourceSetupError, type PollingSource, type SourceContext } from '../../framework/source.js';
import { newestFirst, TimelineCursor, type TimelineRequest } from '../../framework/timeline.js';
import { postParts } from './record.js';
import { PostView, SearchPostsResponse } from './schema.js';
import { BlueskyXrpc, type BlueskyAuth } from './session.js';

export type BlueskyConfig = Extract<SourceConfig, { type: 'bluesky' }>;

/** The PDS of most accounts; it proxies `app.bsky.*` queries to the AppView with the session's credentials. */
export const DEFAULT_BLUESKY_SERVICE = 'https://bsky.social';
/** The lexicon's maximum. */
const PAGE_SIZE = 100;

/**
 * Bluesky search (`app.bsky.feed.searchPosts`, `q=#tag`, `sort=latest`), one query per tag.
 *
 * Paging: newest first with the opaque `cursor`. The high-water mark is the newest post's `sortAt`
 * (min(createdAt, indexedAt), the timestamp search sorts and filters by); every request of a run passes
 * `since` = the previous mark (inclusive: the boundary post is sent again, the key dedupes it), and pages after
 * the first pass `until` = just after the run's newest post, so posts arriving mid-run do not shift the result
 * set the cursor walks. The search index may refuse to page very deep; a backfill that stops early is logged.
 */
export function createBlueskySearchSource(config: BlueskyConfig, context: SourceContext): PollingSource<TimelineCursor> {
  const identifier = context.env[config.identifierEnv];
  const appPassword = context.env[config.appPasswordEnv];
  if (Boolean(identifier) !== Boolean(appPassword)) {
    throw new SourceSetupError(`source ${config.name}: set both ${config.identifierEnv} and ${config.appPasswordEnv}, or neither`);
  }
  const auth: BlueskyAuth = {
    identifierEnv: config.identifierEnv,
    appPasswordEnv: config.appPasswordEnv,
    credentials: identifier && appPassword ? { identifier, appPassword } : undefined,
  };
  const xrpc = new BlueskyXrpc(new URL(config.baseUrl ?? DEFAULT_BLUESKY_SERVICE), auth, context.http);

  const fetchTimeline = async ({ query: tag, highWater, next, top, signal }: TimelineRequest) => {
    const params = new URLSearchParams({ q: `#${tag}`, sort: 'latest', limit: String(PAGE_SIZE) });
    if (highWater) params.set('since', highWater);
    if (next) params.set('cursor', next);
    if (next && top) params.set('until', new Date(Date.parse(top) + 1).toISOString());
    const response = jsonBody(await xrpc.query('app.bsky.feed.searchPosts', params, signal), SearchPostsResponse);
    const page = new PageBuilder({ sourceName: config.name, platform: 'bluesky', clock: context.clock });
    let newest: string | undefined;
    response.posts.forEach((item, index) =>
      page.add(item, PostView, (view) => {
        const sortAt = new Date(Math.min(Date.parse(view.record.createdAt), Date.parse(view.indexedAt))).toISOString();
        if (newest === undefined || sortAt > newest) newest = sortAt;
        return postParts(view.uri, view.record, view.author, tag, {
          likes: view.likeCount,
          shares: view.repostCount,
          replies: view.replyCount,
        });
      }, { tag, index, cursor: next ?? '' }),
    );
    return { page, newest, older: response.posts.length > 0 ? response.cursor : undefined };
  };

  return {
    kind: 'polling',
    name: config.name,
    platform: 'bluesky',
    cursorSchema: TimelineCursor,
    queries: () => normaliseTags(context.tags),
    fetchPage: newestFirst(fetchTimeline),
  };
}
