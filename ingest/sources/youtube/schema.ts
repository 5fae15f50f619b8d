import { z } from 'zod';

/** YouTube Data API v3 shapes (developers.google.com/youtube/v3/docs), with the API's own field names. */

/** Statistics are decimal strings in the API. */
const Count = z
  .string()
  .regex(/^\d+$/)
  .transform((value) => Number(value));

/** `search.list` (`type=video`): newest first with `order=date`, `nextPageToken` while results go on. */
export const SearchListResponse = z.object({
  nextPageToken: z.string().optional(),
  items: z.array(z.unknown()),
});

export const SearchResult = z.object({
  id: z.object({ kind: z.literal('youtube#video'), videoId: z.string().min(1) }),
  snippet: z.object({ publishedAt: z.iso.datetime({ offset: true }) }),
});

/** A video of `videos.list` (`part=snippet,statistics`): the whole description, not search's cut one. */
export const YoutubeVideo = z.object({
  id: z.string().min(1),
  snippet: z.object({
    publishedAt: z.iso.datetime({ offset: true }),
    channelId: z.string().min(1),
    title: z.string(),
    description: z.string().default(''),
    channelTitle: z.string().optional(),
    tags: z.array(z.string()).optional(),
    defaultLanguage: z.string().optional(),
    defaultAudioLanguage: z.string().optional(),
  }),
  statistics: z
    .object({
      viewCount: Count.optional(),
      likeCount: Count.optional(),
      /** Absent when the video's comments are turned off. */
      commentCount: Count.optional(),
    })
    .optional(),
});
export type YoutubeVideo = z.infer<typeof YoutubeVideo>;

export const VideoListResponse = z.object({ items: z.array(z.unknown()) });

export const VideoStatistics = z.object({
  id: z.string(),
  statistics: z.object({ commentCount: Count.optional() }).default({}),
});

const CommentSnippet = z.object({
  authorDisplayName: z.string().optional(),
  authorChannelId: z.object({ value: z.string().min(1) }).optional(),
  textOriginal: z.string().optional(),
  textDisplay: z.string(),
  likeCount: z.number().int().nonnegative().optional(),
  publishedAt: z.iso.datetime({ offset: true }),
  /** A reply's top-level comment. */
  parentId: z.string().optional(),
});

export const YoutubeComment = z.object({ id: z.string().min(1), snippet: CommentSnippet });
export type YoutubeComment = z.infer<typeof YoutubeComment>;

/** A comment thread of `commentThreads.list` (`part=snippet,replies`): its top-level comment and some of its replies. */
export const CommentThread = z.object({
  id: z.string().min(1),
  snippet: z.object({
    videoId: z.string().min(1),
    topLevelComment: YoutubeComment,
    totalReplyCount: z.number().int().nonnegative().default(0),
  }),
  replies: z.object({ comments: z.array(z.unknown()) }).optional(),
});
export type CommentThread = z.infer<typeof CommentThread>;

export const CommentThreadListResponse = z.object({
  nextPageToken: z.string().optional(),
  items: z.array(z.unknown()),
});

/**
 * `comments.list` (`parentId`): the replies of one top-level comment, all of them, page by page. A thread of
 * `commentThreads.list` carries only some replies (complete when as many as its `totalReplyCount`).
 */
export const CommentListResponse = z.object({
  nextPageToken: z.string().optional(),
  items: z.array(z.unknown()),
});
export type CommentListResponse = z.infer<typeof CommentListResponse>;

/** Google's error body: `error.errors[].reason` says what happened (`quotaExceeded`, `commentsDisabled`, `keyInvalid`). */
export const GoogleError = z.object({
  error: z.object({
    code: z.number().int(),
    message: z.string().default(''),
    errors: z.array(z.object({ reason: z.string().optional(), domain: z.string().optional(), message: z.string().optional() })).default([]),
    /** Newer errors say more here (`API_KEY_INVALID` where `errors` only says `badRequest`). */
    details: z.array(z.object({ reason: z.string().optional() })).default([]),
  }),
});
