import { randomUUID } from 'node:crypto';
import type { SourceConfig } from '../../../schemas/index.js';
import { textHashtags } from '../../framework/hashtags.js';
import { HttpError, jsonBody, snippet, type HttpResponse } from '../../framework/http.js';
import { tryParseJson } from '../../framework/json.js';
import {
  combineStates,
  LimitReachedError,
  normaliseTags,
  PageBuilder,
  SourceSetupError,
  type ItemParts,
  type PollingSource,
  type SourceContext,
  type SourcePage,
} from '../../framework/source.js';
import { HASHTAGS_PER_WEEK, HashtagBudget, HashtagUses } from './budget.js';
import { InstagramCursor, keepSent } from './cursor.js';
import { GraphError, GraphTime, HashtagSearchResponse, InstagramMedia, RecentMediaResponse } from './schema.js';

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
 * last 24 hours. Only those 24 hours are visible, so the schedule must run at least hourly (the config refuses
 * a slower one) and a collector stopped longer than a day loses what fell out of the window.
 *
 * Not a newest-first timeline, so not `newestFirst`: Meta documents that recent_media is "not always in
 * chronological order" and that its `after` cursor "will always be the same for each page". A high-water
 * timestamp would drop media listed after an older one, and an unchanged cursor does not mean the end. So
 * every run reads the whole listing from its first page, with the `after` cursor, while `paging.next` is
 * present and a page has data, and sends only the media its cursor does not list as sent (ids with their
 * timestamps, kept 25 hours: see cursor.ts). Cost: about one call per 50 media of the tag's last 24 hours,
 * per run. Bounds: a page that lists no media new to the run ends it (a server stuck on one page), and so
 * does `maxPages` (warned).
 *
 * Budget: an account may query 30 unique hashtags within a rolling 7 days; the source keeps the hashtags it
 * queried (state), warns from the 25th, and refuses a 31st itself.
 * No comments: the Graph API does not show comments of other accounts' media, nor their authors.
 */
export function createInstagramSource(config: InstagramConfig, context: SourceContext): PollingSource<InstagramCursor> {
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

  /** The runs in progress, by tag: where the listing continues and every media id it listed so far. */
  const runs = new Map<string, Run>();
  const sentLimit = config.maxPages * PAGE_SIZE;

  const fetchPage = async (tag: string, stored: InstagramCursor | undefined, signal: AbortSignal): Promise<SourcePage<InstagramCursor>> => {
    const cursor = stored ?? { sent: {} };
    // A run continues only from the page it last returned, as committed (the cursor the runner hands back).
    // Any other cursor is left by a run that ended early (a failure, a lost commit, maxPages, a restart): a new
    // run starts at the first page. An old `after` is not worth resuming: it is the same string on every
    // page, so what it continues from lives on Instagram's side, and `sent` makes re-reading cost calls only.
    const current = runs.get(tag);
    const run =
      current && cursor.run?.id === current.id && cursor.run.pages === current.pages
        ? current
        : { id: randomUUID(), pages: 0, after: undefined, listed: new Set<string>() };
    runs.set(tag, run);
    try {
      const fetched = await fetchRecentMedia(tag, cursor, run, signal);
      if (fetched.done || run.pages >= config.maxPages) runs.delete(tag);
      return fetched;
    } catch (error) {
      runs.delete(tag);
      throw error;
    }
  };

  const fetchRecentMedia = async (tag: string, cursor: InstagramCursor, run: Run, signal: AbortSignal): Promise<SourcePage<InstagramCursor>> => {
    const page = new PageBuilder({ sourceName: config.name, platform: 'instagram', clock: context.clock });
    const id = await hashtagId(tag, signal);
    if (!id) return page.page({ sent: keepSent(cursor.sent, context.clock.now(), sentLimit) }, true);
    const params: Record<string, string> = { fields: MEDIA_FIELDS, limit: String(PAGE_SIZE) };
    if (run.after !== undefined) params.after = run.after;
    const response = await get(`${id}/recent_media`, params, RecentMediaResponse, signal);
    run.pages += 1;
    const sent = { ...cursor.sent };
    let unlisted = 0;
    response.data.forEach((raw, index) => {
      const mediaId = idOf(raw);
      if (mediaId !== undefined && !run.listed.has(mediaId)) {
        run.listed.add(mediaId);
        unlisted += 1;
      }
      // Sent by an earlier page or run: recent_media lists a media on every run for a day, in no fixed order.
      if (mediaId !== undefined && sent[mediaId] !== undefined) return page.skip();
      page.add(raw, InstagramMedia, (media) => mapMedia(media, tag), { tag, page: run.pages, index });
      // A dead-lettered media counts as sent too: it would only be dead-lettered again on every run.
      if (mediaId !== undefined) sent[mediaId] = mediaSeconds(raw, context.clock.now());
    });

    const after = response.paging?.cursors?.after ?? afterOf(response.paging?.next);
    let more = response.paging?.next !== undefined && response.data.length > 0;
    if (more && after === undefined) {
      context.log.warn('Instagram gave a next page without an after cursor; the run ends here', { tag, page: run.pages });
      more = false;
    } else if (more && unlisted === 0) {
      // The same cursor on every page means a server stuck on one page looks like any other: a page that lists
      // nothing new ends the run instead of looping until maxPages.
      context.log.warn('Instagram served a page of media this run had already listed; the run ends here', { tag, page: run.pages });
      more = false;
    }
    const kept = keepSent(sent, context.clock.now(), sentLimit);
    if (!more) return page.page({ sent: kept }, true);
    run.after = after;
    if (run.pages >= config.maxPages) {
      // The runner stops after this page (maxPages is its bound), leaving the run incomplete; the next run
      // starts again at the first page, so media listed deeper than maxPages pages are not read while the
      // listing stays that long. Said here because only the source knows the listing went on.
      context.log.warn('Instagram listing longer than maxPages: the run ends before its end (raise maxPages to read deeper, one call a page)', {
        tag,
        pages: run.pages,
        maxPages: config.maxPages,
      });
    }
    return page.page({ sent: kept, run: { id: run.id, pages: run.pages } }, false);
  };

  const mapMedia = (media: InstagramMedia, tag: string): ItemParts => {
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
  };

  return {
    kind: 'polling',
    name: config.name,
    platform: 'instagram',
    cursorSchema: InstagramCursor,
    queries: () => tracked,
    fetchPage,
    state: combineStates({ hashtags: { schema: HashtagUses, part: budget } }),
  };
}

/** A run of one tag in progress: how many pages it read, the `after` cursor, and the media ids it listed. */
interface Run {
  id: string;
  pages: number;
  after: string | undefined;
  listed: Set<string>;
}

/** A listed item's id, read before validation: a malformed media is remembered too, so it is dead-lettered once. */
function idOf(raw: unknown): string | undefined {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/** The media's timestamp in epoch seconds, for pruning what left the 24 hours; now when it has none readable. */
function mediaSeconds(raw: unknown, now: number): number {
  const parsed = GraphTime.safeParse(typeof raw === 'object' && raw !== null ? (raw as { timestamp?: unknown }).timestamp : undefined);
  return Math.floor((parsed.success ? Date.parse(parsed.data) : now) / 1000);
}

/** The `after` parameter of a `paging.next` URL, when the page gave no `cursors.after`. */
function afterOf(next: string | undefined): string | undefined {
  if (next === undefined || !URL.canParse(next)) return undefined;
  return new URL(next).searchParams.get('after') ?? undefined;
}
