import type { z } from 'zod';
import type { SourceConfig } from '../../../schemas/index.js';
import { describeIssues } from '../../../infra/config.js';
import { DailyBudget, DailyBudgetState } from '../../framework/budget.js';
import { textHashtags, trackedAmong } from '../../framework/hashtags.js';
import { HttpError, jsonBody, snippet, type HttpResponse } from '../../framework/http.js';
import { tryParseJson } from '../../framework/json.js';
import { LimitReachedError, normaliseTags, PageBuilder, SourceSetupError, type ItemParts, type Origin, type PollingSource, type SourceContext } from '../../framework/source.js';
import { comparePositions, tagSourceWithReplies, ThreadClosedError, ThreadFollower, type RepliesFetcher, type TagOrRepliesCursor } from '../../framework/threads.js';
import { newestFirst, type TimelineRequest } from '../../framework/timeline.js';
import {
  CommentListResponse,
  CommentThread,
  CommentThreadListResponse,
  GoogleError,
  SearchListResponse,
  SearchResult,
  VideoListResponse,
  VideoStatistics,
  YoutubeComment,
  YoutubeVideo,
} from './schema.js';

export type YoutubeConfig = Extract<SourceConfig, { type: 'youtube' }>;

export const DEFAULT_YOUTUBE_API = 'https://www.googleapis.com/youtube/v3/';
/** YouTube's quotas reset at midnight Pacific time. */
export const YOUTUBE_QUOTA_TIME_ZONE = 'America/Los_Angeles';
/** The default daily quota of a project, in units; every call but search.list costs one. */
const DAILY_UNITS = 10_000;
const DAY_MS = 86_400_000;
const SEARCH_PAGE = 50;
const VIDEOS_BATCH = 50;
const COMMENTS_PAGE = 100;
const QUOTA_REASONS = new Set(['quotaExceeded', 'dailyLimitExceeded', 'rateLimitExceeded', 'userRateLimitExceeded']);
const SETUP_REASONS = new Set(['keyInvalid', 'keyExpired', 'accessNotConfigured', 'forbidden', 'ipRefererBlocked', 'API_KEY_INVALID']);

/**
 * YouTube Data API v3: `search.list` for videos carrying `#tag` (one query per tag), their full snippets and
 * statistics from `videos.list`, and the comments of every matched video (`commentThreads.list`, newest first)
 * as posts linked to their video, followed for `followRepliesDays` (the `@replies` query). A thread carries only
 * some of its replies; one with fewer than its `totalReplyCount` has all of them read with `comments.list`
 * (`parentId`, 100 a call, one unit each).
 *
 * Budgets: search.list has a bucket of its own, `searchCallsPerDay` calls a Pacific-time day (100 by default);
 * every call takes from it before it is made, and when it is spent the tag queries end for the day with a log
 * line saying so (the next run after midnight Pacific continues). Other calls cost one unit of the project's
 * daily quota; `quotaExceeded` from YouTube ends the run the same way. `commentsDisabled` (and a deleted
 * video) ends the following of that video's comments. Paging: `order=date` with `pageToken`;
 * `publishedAfter` = the previous run's newest video (inclusive), later pages pin `publishedBefore`.
 */
export function createYoutubeSource(config: YoutubeConfig, context: SourceContext): PollingSource<TagOrRepliesCursor> {
  const apiKey = context.env[config.apiKeyEnv];
  if (!apiKey) throw new SourceSetupError(`source ${config.name}: set ${config.apiKeyEnv} to a YouTube Data API v3 key (Google Cloud console → APIs & Services → Credentials)`);
  const base = new URL(config.baseUrl ? `${config.baseUrl.replace(/\/?$/, '/')}` : DEFAULT_YOUTUBE_API);
  const tracked = normaliseTags(context.tags);
  const follower = new ThreadFollower({ followForMs: config.followRepliesDays * DAY_MS, clock: context.clock, log: context.log });
  const budget = (name: string, limit: number) => new DailyBudget({ name, limit, timeZone: YOUTUBE_QUOTA_TIME_ZONE, clock: context.clock, log: context.log });
  const searches = budget('YouTube search.list calls', config.searchCallsPerDay);
  const units = budget('YouTube Data API units', DAILY_UNITS);
  const newPage = () => new PageBuilder({ sourceName: config.name, platform: 'youtube', clock: context.clock });

  /** One API call: budgeted, key in a header (never in a URL a log or dead letter could show), errors read. */
  const call = async <T>(resource: string, params: Record<string, string>, schema: z.ZodType<T>, signal: AbortSignal): Promise<T> => {
    const bucket = resource === 'search' ? searches : units;
    bucket.take();
    const url = new URL(resource, base);
    url.search = new URLSearchParams(params).toString();
    const response = await context.http.request(url, { signal, headers: { 'x-goog-api-key': apiKey, accept: 'application/json' } });
    if (response.status === 200) return jsonBody(response, schema);
    throw failure(response, resource, bucket);
  };

  const failure = (response: HttpResponse, resource: string, bucket: DailyBudget): Error => {
    const parsed = GoogleError.safeParse(tryParseJson(response.body));
    const reasons = parsed.success ? [...parsed.data.error.errors, ...parsed.data.error.details].flatMap((e) => (e.reason ? [e.reason] : [])) : [];
    const reason = reasons.find((r) => QUOTA_REASONS.has(r) || SETUP_REASONS.has(r) || r === 'commentsDisabled' || r === 'videoNotFound') ?? reasons[0];
    const message = parsed.success ? parsed.data.error.message : snippet(response.body);
    if (reason && QUOTA_REASONS.has(reason)) {
      bucket.exhaust();
      return new LimitReachedError(`YouTube ${resource}.list answered ${reason} (${message}); the quota resets at midnight Pacific time`);
    }
    if (reason === 'commentsDisabled' || reason === 'videoNotFound') return new ThreadClosedError(`${reason}: ${message}`);
    if ((reason && SETUP_REASONS.has(reason)) || response.status === 401) {
      return new SourceSetupError(`YouTube refused the API key in ${config.apiKeyEnv} (${response.status} ${reason ?? ''}: ${message}); check the key and that the YouTube Data API v3 is enabled for its project`);
    }
    return new HttpError(response, `YouTube ${resource}.list answered ${response.status}${reason ? ` ${reason}` : ''}: ${message}`);
  };

  const fetchTag = newestFirst(async ({ query: tag, highWater, next, top, signal }: TimelineRequest) => {
    const params: Record<string, string> = { part: 'snippet', q: `#${tag}`, type: 'video', order: 'date', maxResults: String(SEARCH_PAGE) };
    if (highWater) params.publishedAfter = highWater;
    if (next) params.pageToken = next;
    if (next && top) params.publishedBefore = new Date(Date.parse(top) + 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const response = await call('search', params, SearchListResponse, signal);
    const page = newPage();
    let newest: string | undefined;
    const ids: string[] = [];
    response.items.forEach((raw, index) => {
      const result = SearchResult.safeParse(raw);
      if (!result.success) return page.rejectUnreadable('schema', describeIssues(result.error.issues), raw, { resource: 'search', tag, index }, 'json');
      if (newest === undefined || comparePositions(result.data.snippet.publishedAt, newest) > 0) newest = result.data.snippet.publishedAt;
      ids.push(result.data.id.videoId);
    });
    if (ids.length > 0) {
      const videos = await call('videos', { part: 'snippet,statistics', id: ids.join(','), maxResults: String(VIDEOS_BATCH) }, VideoListResponse, signal);
      videos.items.forEach((raw, index) =>
        page.add(raw, YoutubeVideo, (video) => {
          const ours = trackedAmong([...textHashtags(`${video.snippet.title}\n${video.snippet.description}`), ...(video.snippet.tags ?? [])], tracked);
          if (ours.length === 0) return undefined;
          const query = ours.includes(tag) ? tag : ours[0]!;
          follower.follow(video.id, video.snippet.publishedAt, query);
          return videoParts(video, query);
        }, { resource: 'videos', tag, index }),
      );
    }
    return { page, newest, older: response.items.length > 0 ? response.nextPageToken : undefined };
  });

  const replies: RepliesFetcher = {
    batchSize: () => 1,
    async replyCounts(threads, signal) {
      const counts = new Map<string, number>();
      for (let i = 0; i < threads.length; i += VIDEOS_BATCH) {
        const response = await call('videos', { part: 'statistics', id: threads.slice(i, i + VIDEOS_BATCH).join(','), maxResults: String(VIDEOS_BATCH) }, VideoListResponse, signal);
        for (const raw of response.items) {
          const video = VideoStatistics.safeParse(raw);
          // Comments turned off: no count, and nothing to read.
          if (video.success) counts.set(video.data.id, video.data.statistics.commentCount ?? 0);
        }
      }
      return counts;
    },
    async fetchReplies({ threads: [videoId], since, next, signal }) {
      const params: Record<string, string> = { part: 'snippet,replies', videoId: videoId!, order: 'time', maxResults: String(COMMENTS_PAGE), textFormat: 'plainText' };
      if (next) params.pageToken = next;
      const response = await call('commentThreads', params, CommentThreadListResponse, signal);
      const tag = follower.get(videoId!)?.tag;
      const page = newPage();
      const isNew = (publishedAt: string) => since === undefined || comparePositions(publishedAt, since) > 0;
      // A reply the thread includes comes again from comments.list: the page sends each reply id once.
      const seen = new Set<string>();
      // Replies are judged on their own time: a new reply may sit under a comment older than the mark.
      const addReply = (raw: unknown, thread: CommentThread, origin: Origin) =>
        page.add(
          raw,
          YoutubeComment,
          (comment) => {
            if (seen.has(comment.id)) return undefined;
            seen.add(comment.id);
            const top = thread.snippet.topLevelComment;
            return isNew(comment.snippet.publishedAt) ? commentParts(comment, thread.snippet.videoId, comment.snippet.parentId ?? top.id, tag) : undefined;
          },
          origin,
        );
      /** Threads that include fewer replies than they have: the rest are read with comments.list. */
      const incomplete: CommentThread[] = [];
      let newest: string | undefined;
      let reachedMark = false;
      response.items.forEach((raw, index) =>
        page.add(raw, CommentThread, (thread) => {
          const top = thread.snippet.topLevelComment;
          if (newest === undefined || comparePositions(top.snippet.publishedAt, newest) > 0) newest = top.snippet.publishedAt;
          const included = thread.replies?.comments ?? [];
          included.forEach((reply, replyIndex) => addReply(reply, thread, { resource: 'commentThreads', videoId: videoId!, thread: thread.id, replyIndex }));
          if (thread.snippet.totalReplyCount > included.length) incomplete.push(thread);
          if (isNew(top.snippet.publishedAt)) return commentParts(top, thread.snippet.videoId, thread.snippet.videoId, tag);
          reachedMark = true;
          return undefined;
        }, { resource: 'commentThreads', videoId: videoId!, index }),
      );
      for (const thread of incomplete) {
        const parentId = thread.snippet.topLevelComment.id;
        let pageToken: string | undefined;
        let replyPage = 0;
        do {
          const listParams: Record<string, string> = { part: 'snippet', parentId, maxResults: String(COMMENTS_PAGE), textFormat: 'plainText' };
          if (pageToken) listParams.pageToken = pageToken;
          let listed: CommentListResponse;
          try {
            listed = await call('comments', listParams, CommentListResponse, signal);
          } catch (error) {
            // The top-level comment was deleted since commentThreads listed it: its replies went with it.
            if (!(error instanceof HttpError) || error.response.status !== 404) throw error;
            context.log.info('comment thread gone while its replies were read', { videoId, thread: thread.id, error: error.message });
            break;
          }
          listed.items.forEach((raw, index) => addReply(raw, thread, { resource: 'comments', videoId: videoId!, thread: thread.id, replyPage, index }));
          pageToken = listed.items.length > 0 && listed.nextPageToken !== pageToken ? listed.nextPageToken : undefined;
          replyPage += 1;
        } while (pageToken);
      }
      return { page, newest, older: reachedMark || response.items.length === 0 ? undefined : response.nextPageToken };
    },
  };

  return tagSourceWithReplies({
    name: config.name,
    platform: 'youtube',
    tags: tracked,
    fetchTag,
    follower,
    replies,
    state: { searches: { schema: DailyBudgetState, part: searches }, units: { schema: DailyBudgetState, part: units } },
  });
}

function videoParts(video: YoutubeVideo, query: string): ItemParts {
  const { snippet: s, statistics } = video;
  return {
    platformId: video.id,
    query,
    item: {
      text: s.description ? `${s.title}\n\n${s.description}` : s.title,
      createdAt: s.publishedAt,
      author: { id: s.channelId },
      tags: [...textHashtags(`${s.title}\n${s.description}`), ...(s.tags ?? [])],
      url: `https://www.youtube.com/watch?v=${video.id}`,
      platformLang: s.defaultLanguage ?? s.defaultAudioLanguage,
      engagement: statistics ? { likes: statistics.likeCount, replies: statistics.commentCount, views: statistics.viewCount } : undefined,
    },
  };
}

/** A comment keyed by its own id; it answers the video (top-level) or its thread's top-level comment (a reply). */
function commentParts(comment: YoutubeComment, videoId: string, answers: string, tag: string | undefined): ItemParts {
  const text = comment.snippet.textOriginal ?? comment.snippet.textDisplay;
  return {
    platformId: comment.id,
    query: tag,
    item: {
      text,
      createdAt: comment.snippet.publishedAt,
      author: { id: comment.snippet.authorChannelId?.value, handle: comment.snippet.authorDisplayName?.replace(/^@/, '') || undefined },
      tags: textHashtags(text),
      url: `https://www.youtube.com/watch?v=${videoId}&lc=${comment.id}`,
      replyTo: { platformId: answers },
      threadId: videoId,
      engagement: comment.snippet.likeCount === undefined ? undefined : { likes: comment.snippet.likeCount },
    },
  };
}
