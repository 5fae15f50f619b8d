import { PlatformFake, startFake, type FakeHttpServer, type FakeRequest, type FakeResponse } from './http.js';

export interface FakeVideo {
  kind: 'youtube#video';
  etag: string;
  id: string;
  snippet: {
    publishedAt: string;
    channelId: string;
    title: string;
    description: string;
    channelTitle: string;
    tags?: string[];
    defaultAudioLanguage?: string;
    liveBroadcastContent: 'none';
  };
  statistics: { viewCount: string; likeCount: string; favoriteCount: string; commentCount?: string };
}

export interface FakeComment {
  kind: 'youtube#comment';
  etag: string;
  id: string;
  snippet: {
    channelId: string;
    videoId: string;
    textDisplay: string;
    textOriginal: string;
    parentId?: string;
    authorDisplayName: string;
    authorChannelUrl: string;
    authorChannelId: { value: string };
    canRate: boolean;
    viewerRating: 'none';
    likeCount: number;
    publishedAt: string;
    updatedAt: string;
  };
}

export interface FakeCommentThread {
  kind: 'youtube#commentThread';
  etag: string;
  id: string;
  snippet: { channelId: string; videoId: string; topLevelComment: FakeComment; canReply: boolean; totalReplyCount: number; isPublic: boolean };
  replies?: { comments: FakeComment[] };
}

export function video(id: string, publishedAt: string, title: string, description = '', comments = 0): FakeVideo {
  return {
    kind: 'youtube#video',
    etag: `etag-${id}`,
    id,
    snippet: { publishedAt, channelId: 'UCfeminita000000000000000', title, description, channelTitle: 'Feminita', defaultAudioLanguage: 'kk', liveBroadcastContent: 'none' },
    statistics: { viewCount: '1200', likeCount: '85', favoriteCount: '0', commentCount: String(comments) },
  };
}

export function comment(id: string, videoId: string, publishedAt: string, text: string, author: string, parentId?: string): FakeComment {
  return {
    kind: 'youtube#comment',
    etag: `etag-${id}`,
    id,
    snippet: {
      channelId: 'UCfeminita000000000000000',
      videoId,
      textDisplay: text,
      textOriginal: text,
      ...(parentId ? { parentId } : {}),
      authorDisplayName: `@${author}`,
      authorChannelUrl: `http://www.youtube.com/@${author}`,
      authorChannelId: { value: `UC${author}` },
      canRate: true,
      viewerRating: 'none',
      likeCount: 2,
      publishedAt,
      updatedAt: publishedAt,
    },
  };
}

/** Google's error body, e.g. `youtubeError(403, 'quotaExceeded', 'youtube.quota', …)`. */
export function youtubeError(code: number, reason: string, domain: string, message: string): FakeResponse {
  return { status: code, body: { error: { code, message, errors: [{ message, domain, reason }] } } };
}

export const quotaExceeded = () =>
  youtubeError(403, 'quotaExceeded', 'youtube.quota', 'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.');

/** What each call costs in units of the project's daily quota (developers.google.com/youtube/v3/determine_quota_cost). */
const UNIT_COST: Record<string, number> = { search: 100, videos: 1, commentThreads: 1, comments: 1 };

/**
 * The YouTube Data API v3 under `/youtube/v3/`: `search` (`type=video`, `order=date`, the words of `q` in
 * title or description, as loosely as YouTube matches, `publishedAfter` inclusive, `publishedBefore` exclusive,
 * `maxResults` ≤ 50, an opaque `pageToken`, snippets with a cut description), `videos` (by `id`, snippet and
 * statistics as decimal strings; no `commentCount` when comments are off), `commentThreads` (`videoId`,
 * `order=time`, ≤ 100 a page, the first five replies of each thread; 403 `commentsDisabled`, 404
 * `videoNotFound`) and `comments` (`parentId`: all replies of a top-level comment, ≤ 100 a page, an opaque
 * `pageToken`; 403 `commentsDisabled`, 404 `commentNotFound`). The key comes in `x-goog-api-key` or `key`; a
 * wrong one is the 400 `API_KEY_INVALID`. `unitsSpent` counts the quota the answered calls cost (search.list
 * 100 units, every other call one).
 */
export class FakeYoutube extends PlatformFake {
  readonly videos: FakeVideo[] = [];
  /** Comment threads by video id, any order. */
  readonly threads = new Map<string, FakeCommentThread[]>();
  readonly commentsDisabled = new Set<string>();
  /** Units of the daily quota the calls answered so far have cost (not those a test intercepted). */
  unitsSpent = 0;

  private constructor(
    server: FakeHttpServer,
    private readonly key: string,
  ) {
    super(server);
  }

  static start(key: string): Promise<FakeYoutube> {
    return startFake((server) => new FakeYoutube(server, key));
  }

  override get baseUrl(): string {
    return `${this.server.baseUrl}/youtube/v3`;
  }

  requests(resource: string): URLSearchParams[] {
    return this.server.requestsTo(`/youtube/v3/${resource}`).map((r) => r.url.searchParams);
  }

  /** A top-level comment with `replies` replies, a minute apart after it. */
  addThread(videoId: string, top: FakeComment, replies: FakeComment[] = []): void {
    const thread: FakeCommentThread = {
      kind: 'youtube#commentThread',
      etag: `etag-${top.id}`,
      id: top.id,
      snippet: { channelId: top.snippet.channelId, videoId, topLevelComment: top, canReply: true, totalReplyCount: replies.length, isPublic: true },
      ...(replies.length > 0 ? { replies: { comments: replies } } : {}),
    };
    this.threads.set(videoId, [...(this.threads.get(videoId) ?? []), thread]);
  }

  respond(request: FakeRequest): FakeResponse {
    const params = request.url.searchParams;
    const key = request.headers['x-goog-api-key'] ?? params.get('key');
    if (key !== this.key) {
      return {
        status: 400,
        body: {
          error: {
            code: 400,
            message: 'API key not valid. Please pass a valid API key.',
            errors: [{ message: 'API key not valid. Please pass a valid API key.', domain: 'global', reason: 'badRequest' }],
            status: 'INVALID_ARGUMENT',
            details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }],
          },
        },
      };
    }
    this.unitsSpent += UNIT_COST[request.url.pathname.replace('/youtube/v3/', '')] ?? 0;
    switch (request.url.pathname) {
      case '/youtube/v3/search':
        return { body: this.search(params) };
      case '/youtube/v3/videos': {
        const ids = (params.get('id') ?? '').split(',');
        return { body: { kind: 'youtube#videoListResponse', etag: 'e', items: this.videos.filter((v) => ids.includes(v.id)), pageInfo: { totalResults: ids.length, resultsPerPage: ids.length } } };
      }
      case '/youtube/v3/commentThreads': {
        const videoId = params.get('videoId') ?? '';
        if (!this.videos.some((v) => v.id === videoId)) return youtubeError(404, 'videoNotFound', 'youtube.commentThread', 'The video identified by the <code><a href="/youtube/v3/docs/commentThreads/list#videoId">videoId</a></code> parameter could not be found.');
        if (this.commentsDisabled.has(videoId)) return youtubeError(403, 'commentsDisabled', 'youtube.commentThread', 'The video identified by the <code><a href="/youtube/v3/docs/commentThreads/list#videoId">videoId</a></code> parameter has disabled comments.');
        const all = [...(this.threads.get(videoId) ?? [])].sort((a, b) => b.snippet.topLevelComment.snippet.publishedAt.localeCompare(a.snippet.topLevelComment.snippet.publishedAt));
        // A thread resource carries at most five of its replies, as YouTube's does.
        const page = listPage('youtube#commentThreadListResponse', 'CT', all, params);
        return { body: { ...page, items: page.items.map((t) => (t.replies ? { ...t, replies: { comments: t.replies.comments.slice(0, 5) } } : t)) } };
      }
      case '/youtube/v3/comments':
        return this.comments(params);
      default:
        return { status: 404, body: { error: { code: 404, message: 'Not Found', errors: [{ message: 'Not Found', domain: 'global', reason: 'notFound' }] } } };
    }
  }

  /** `comments.list` by `parentId`: every reply of a top-level comment, in the order they were added. */
  private comments(params: URLSearchParams): FakeResponse {
    const parentId = params.get('parentId');
    if (!parentId) return youtubeError(400, 'missingRequiredParameter', 'youtube.parameter', 'No filter selected. Expected one of: id, parentId');
    const [videoId, thread] = [...this.threads].flatMap(([v, threads]) => threads.filter((t) => t.snippet.topLevelComment.id === parentId).map((t) => [v, t] as const))[0] ?? [];
    if (!videoId || !thread || !this.videos.some((v) => v.id === videoId)) {
      return youtubeError(404, 'commentNotFound', 'youtube.comment', 'The comment identified by the <code><a href="/youtube/v3/docs/comments/list#parentId">parentId</a></code> parameter could not be found.');
    }
    if (this.commentsDisabled.has(videoId)) return youtubeError(403, 'commentsDisabled', 'youtube.comment', 'The video identified by the <code>videoId</code> parameter has disabled comments.');
    return { body: listPage('youtube#commentListResponse', 'CM', thread.replies?.comments ?? [], params) };
  }

  private search(params: URLSearchParams) {
    const words = (params.get('q') ?? '').replace(/#/g, '').toLowerCase();
    const after = params.get('publishedAfter');
    const before = params.get('publishedBefore');
    const hits = this.videos
      .filter((v) => `${v.snippet.title} ${v.snippet.description}`.toLowerCase().includes(words))
      .filter((v) => (!after || v.snippet.publishedAt >= after) && (!before || v.snippet.publishedAt < before))
      .sort((a, b) => b.snippet.publishedAt.localeCompare(a.snippet.publishedAt));
    const offset = Number(params.get('pageToken')?.slice(2) ?? 0);
    const max = Math.min(Number(params.get('maxResults') ?? 5), 50);
    const items = hits.slice(offset, offset + max).map((v) => ({
      kind: 'youtube#searchResult',
      etag: `s-${v.id}`,
      id: { kind: 'youtube#video', videoId: v.id },
      snippet: { ...v.snippet, description: v.snippet.description.slice(0, 160), thumbnails: {}, publishTime: v.snippet.publishedAt },
    }));
    return {
      kind: 'youtube#searchListResponse',
      etag: 'e',
      ...(offset + max < hits.length ? { nextPageToken: `CA${offset + max}` } : {}),
      regionCode: 'KZ',
      pageInfo: { totalResults: hits.length, resultsPerPage: max },
      items,
    };
  }
}

/** One page of a list answer as YouTube pages it: `maxResults` (at most 100), and a `pageToken` (here `<prefix><offset>`). */
function listPage<T>(kind: string, tokenPrefix: string, all: readonly T[], params: URLSearchParams) {
  const offset = Number(params.get('pageToken')?.slice(tokenPrefix.length) ?? 0);
  const max = Math.min(Number(params.get('maxResults') ?? 20), 100);
  const items = all.slice(offset, offset + max);
  return {
    kind,
    etag: 'e',
    ...(offset + max < all.length ? { nextPageToken: `${tokenPrefix}${offset + max}` } : {}),
    pageInfo: { totalResults: items.length, resultsPerPage: max },
    items,
  };
}
