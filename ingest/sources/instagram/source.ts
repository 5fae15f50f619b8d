import type { SourceConfig } from '../../../schemas/index.js';
import { textHashtags } from '../../framework/hashtags.js';
import { HttpError, jsonBody, snippet, type HttpResponse } from '../../framework/http.js';
import { tryParseJson } from '../../framework/json.js';
import { combineStates, LimitReachedError, normaliseTags, PageBuilder, SourceSetupError, type PollingSource, type SourceContext } from '../../framework/source.js';
import { comparePositions } from '../../framework/threads.js';
import { newestFirst, TimelineCursor, type TimelineRequest } from '../../framework/timeline.js';
import { HASHTAGS_PER_WEEK, HashtagBudget, HashtagUses } from './budget.js';
import { GraphError, HashtagSearchResponse, InstagramMedia, RecentMediaResponse } from './schema.js';

export type InstagramConfig = Extract<SourceConfig, { type: 'instagram' }>;

export const DEFAULT_INSTAGRAM_API = 'https://graph.facebook.com/v23.0/';
/** recent_media's page maximum. */
const PAGE_SIZE = 50;
const MEDIA_FIELDS = 'id,caption,media_type,permalink,timestamp,like_count,comments_count';
/** Graph error codes of the rate limits (app, user, page, custom, Instagram business use case). */
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80002]);
/** Invalid or expired token, missing permission. */
const AUTH_CODES = new Set([102, 190, 10, 200]);

/**
 * Instagram Graph API hashtag search for an Instagram professional account (`userId`): `ig_hashtag_search`
 * turns a tag into its node id (kept: ids are stable), `/{id}/recent_media` lists the media tagged in the
 * last 24 hours, newest first. Only those 24 hours are visible, so the schedule must run at least hourly (the
 * config refuses a slower one) and a collector stopped longer than a day loses what fell out of the window.
 *
 * Paging: `after` cursors while `paging.next` is present; the last page repeats its `after` cursor without a
 * `next`, so the run ends on a missing `next` (and on a cursor that comes back unchanged), or once a page reaches
 * the previous run's newest media. Budget: an account may query 30 unique hashtags within a rolling 7 days;
 * the source keeps the hashtags it queried (state), warns from the 25th, and refuses a 31st itself.
 * No comments: the Graph API does not show comments of other accounts' media, nor their authors.
 */
export function createInstagramSource(config: InstagramConfig, context: SourceContext): PollingSource<TimelineCursor> {
  const token = context.env[config.accessTokenEnv];
  if (!token) throw new SourceSetupError(`source ${config.name}: set ${config.accessTokenEnv} to an access token with instagram_basic for the account ${config.userId}`);
  const base = new URL(config.baseUrl ? config.baseUrl.replace(/\/?$/, '/') : DEFAULT_INSTAGRAM_API);
  const tracked = normaliseTags(context.tags);
  if (tracked.length > HASHTAGS_PER_WEEK) {
    context.log.warn('more tags than Instagram allows a week: those beyond the budget wait for a free place', { tags: tracked.length, limit: HASHTAGS_PER_WEEK });
  }
  const budget = new HashtagBudget({ clock: context.clock, log: context.log });

  const get = async <T>(path: string, params: Record<string, string>, schema: import('zod').ZodType<T>, signal: AbortSignal): Promise<T> => {
    const url = new URL(path, base);
    url.search = new URLSearchParams({ user_id: config.userId, ...params }).toString();
    // The token in a header (Graph accepts OAuth bearer tokens), never in a URL a log or dead letter shows.
    const response = await context.http.request(url, { signal, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    if (response.status !== 200) throw failure(response, path);
    return jsonBody(response, schema);
  };

  const failure = (response: HttpResponse, path: string): Error => {
    const parsed = GraphError.safeParse(tryParseJson(response.body));
    const error = parsed.success ? parsed.data.error : undefined;
    const said = error ? `(#${error.code ?? '?'}${error.error_subcode ? `/${error.error_subcode}` : ''}) ${error.message}` : snippet(response.body);
    if (error?.code !== undefined && RATE_LIMIT_CODES.has(error.code)) return new LimitReachedError(`Instagram rate limit on ${path}: ${said}; the next run continues`);
    if ((error?.code !== undefined && AUTH_CODES.has(error.code)) || error?.type === 'OAuthException' || response.status === 401) {
      return new SourceSetupError(`Instagram refused the token in ${config.accessTokenEnv} ${said}; renew the long-lived token (it lasts 60 days)`);
    }
    return new HttpError(response, `Instagram answered ${response.status} on ${path}: ${said}`);
  };

  const hashtagId = async (tag: string, signal: AbortSignal): Promise<string | undefined> => {
    budget.use(tag);
    const known = budget.hashtagId(tag);
    if (known) return known;
    const found = await get('ig_hashtag_search', { q: tag }, HashtagSearchResponse, signal);
    const id = found.data[0]?.id;
    if (id) budget.rememberId(tag, id);
    else context.log.warn('Instagram knows no such hashtag', { tag });
    return id;
  };

  const fetchTimeline = async ({ query: tag, highWater, next, signal }: TimelineRequest) => {
    const page = new PageBuilder({ sourceName: config.name, platform: 'instagram', clock: context.clock });
    const id = await hashtagId(tag, signal);
    if (!id) return { page };
    const params: Record<string, string> = { fields: MEDIA_FIELDS, limit: String(PAGE_SIZE) };
    if (next) params.after = next;
    const response = await get(`${id}/recent_media`, params, RecentMediaResponse, signal);
    let newest: string | undefined;
    let reachedMark = false;
    response.data.forEach((raw, index) =>
      page.add(raw, InstagramMedia, (media) => {
        if (newest === undefined || comparePositions(media.timestamp, newest) > 0) newest = media.timestamp;
        if (highWater !== undefined && comparePositions(media.timestamp, highWater) <= 0) {
          reachedMark = true;
          return undefined;
        }
        const tags = textHashtags(media.caption ?? '');
        return {
          platformId: media.id,
          query: tag,
          item: {
            text: media.caption ?? '',
            createdAt: media.timestamp,
            // Instagram lists media under a hashtag that is in the caption or in the owner's first comment.
            tags: tags.some((t) => t.toLowerCase() === tag) ? tags : [...tags, tag],
            url: media.permalink,
            engagement: { likes: media.like_count, replies: media.comments_count },
          },
        };
      }, { tag, index, after: next ?? '' }),
    );
    const after = response.paging?.cursors?.after;
    if (response.paging?.next && after === next) context.log.warn('Instagram repeated the after cursor; the run ends here', { tag, after });
    const more = response.paging?.next !== undefined && after !== undefined && after !== next && !reachedMark && response.data.length > 0;
    return { page, newest, older: more ? after : undefined };
  };

  return {
    kind: 'polling',
    name: config.name,
    platform: 'instagram',
    cursorSchema: TimelineCursor,
    queries: () => tracked,
    fetchPage: newestFirst(fetchTimeline),
    state: combineStates({ hashtags: { schema: HashtagUses, part: budget } }),
  };
}
