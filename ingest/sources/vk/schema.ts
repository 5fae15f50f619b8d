import { z } from 'zod';

/**
 * VK API shapes (dev.vk.com, v5.199) with the API's own field names, limited to what Tagpulse reads. Every
 * answer is HTTP 200: `{"response": …}` on success, `{"error": {"error_code", "error_msg", …}}` otherwise.
 */
export const VkEnvelope = z.object({
  response: z.unknown().optional(),
  error: z.object({ error_code: z.number().int(), error_msg: z.string().default('') }).optional(),
});

const Count = z.object({ count: z.number().int().nonnegative() });

/** A wall post as `newsfeed.search` returns it (dev.vk.com/reference/objects/post). */
export const VkPost = z.object({
  id: z.number().int().positive(),
  /** The wall's owner: a user (positive) or a community (negative). */
  owner_id: z.number().int(),
  /** Who published it (a community posting on its own wall is negative). */
  from_id: z.number().int(),
  /** Unix seconds. */
  date: z.number().int().positive(),
  text: z.string(),
  comments: Count.extend({ can_post: z.number().int().optional() }).optional(),
  likes: Count.optional(),
  reposts: Count.optional(),
  views: Count.optional(),
});
export type VkPost = z.infer<typeof VkPost>;

/** `newsfeed.search` with `extended=1`: posts newest first, their authors, and `next_from` while the result set goes on. */
export const NewsfeedSearchResponse = z.object({
  items: z.array(z.unknown()),
  profiles: z.array(z.unknown()).default([]),
  groups: z.array(z.unknown()).default([]),
  next_from: z.string().optional(),
  total_count: z.number().int().optional(),
});

const liveCommentFields = {
  id: z.number().int().positive(),
  from_id: z.number().int(),
  date: z.number().int().positive(),
  text: z.string(),
  /** Ids of the comments above this one (a reply's top-level comment). */
  parents_stack: z.array(z.number().int()).default([]),
  /** The comment this reply answers, within the same thread. */
  reply_to_comment: z.number().int().optional(),
  likes: Count.optional(),
};

/** A comment deleted by its author or a moderator still holds its place in the list, without author or text. */
const DeletedComment = z.object({ id: z.number().int().positive(), deleted: z.literal(true) });

/** A comment of `wall.getComments` (dev.vk.com/reference/objects/comment): its thread's first replies come inside it. */
export const VkComment = z.union([
  DeletedComment,
  z.object({
    ...liveCommentFields,
    thread: z.object({ count: z.number().int().nonnegative(), items: z.array(z.unknown()).default([]) }).optional(),
  }),
]);
export type VkComment = z.infer<typeof VkComment>;

/** `wall.getComments` with `extended=1`: top-level comments (newest first with `sort=desc`) and their authors. */
export const WallCommentsResponse = z.object({
  items: z.array(z.unknown()),
  /** Top-level comments in all (`count` includes the replies). */
  current_level_count: z.number().int().nonnegative().optional(),
  profiles: z.array(z.unknown()).default([]),
  groups: z.array(z.unknown()).default([]),
});

export const VkProfile = z.object({ id: z.number().int(), screen_name: z.string().min(1).optional() });
export const VkGroup = z.object({ id: z.number().int(), screen_name: z.string().min(1).optional() });

/** `wall.getById`: the posts asked for that are still visible (deleted or private ones are left out). */
export const WallGetByIdResponse = z.object({ items: z.array(z.unknown()) });

/** What `wall.getById` is read for: a post's current comment count. */
export const VkPostCounts = z.object({
  id: z.number().int().positive(),
  owner_id: z.number().int(),
  comments: Count.optional(),
});
