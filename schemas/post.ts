import { z } from 'zod';
import { Instant, Lang, Platform } from './common.js';

/**
 * A pseudonymous author reference: `h1:` + hex HMAC-SHA256 of the platform-qualified id or handle
 * under the deployment's key, or the clear value when the deployment opted out (`privacy.pseudonymise: false`).
 */
export const AuthorRef = z.object({
  id: z.string().optional(),
  handle: z.string().optional(),
});
export type AuthorRef = z.infer<typeof AuthorRef>;

/** The abuse classifier's verdict on a post (see docs/abuse-methodology.md). */
export const AbuseVerdict = z.object({
  abusive: z.boolean(),
  towardWomen: z.boolean(),
  categories: z.array(z.string()),
  score: z.number().min(0).max(1),
  evidence: z.array(
    z.object({ category: z.string(), span: z.string(), rule: z.string() }),
  ),
  classifierVersion: z.string(),
});
export type AbuseVerdict = z.infer<typeof AbuseVerdict>;

/** One normalised post: a message on `tagpulse.posts.normalised` and a document in the posts index. */
export const NormalisedPost = z.object({
  schema: z.literal('tagpulse.post/1'),
  /** Deterministic document id: `platform:platformId`. */
  id: z.string().min(1),
  platform: Platform,
  platformId: z.string().min(1),
  /** Every source that delivered this post (a post seen by two collectors is still one post). */
  sources: z.array(z.string()).min(1),
  /** Event time: when the post was published, as the platform says. All metrics window on this. */
  createdAt: Instant,
  /** Arrival time of the first copy. */
  collectedAt: Instant,
  text: z.string(),
  lang: Lang,
  /** Canonical tag keys (see docs/metrics.md#canonical-tags), deduplicated. */
  tags: z.array(z.string()),
  /** Tags as written in the post, for display. */
  tagsAsWritten: z.array(z.string()),
  /** Tracked families (config) this post belongs to. */
  families: z.array(z.string()),
  author: AuthorRef,
  url: z.string().optional(),
  /** For a comment or reply: the post or comment it answers, `platform:platformId` (a post id). */
  replyTo: z.string().optional(),
  /** The thread (matched post, video, conversation) the item belongs to, `platform:platformId` like `replyTo`. */
  threadId: z.string().optional(),
  /**
   * For a comment or reply: canonical keys of the tag of the thread it answers (the envelope's `query`, the
   * tag that found the thread's root post), other than its own `tags`. The abuse metric counts the post under
   * `tags` ∪ `threadTags`; volume and co-occurrence count `tags` only (docs/metrics.md#abuse). Absent when none.
   */
  threadTags: z.array(z.string()).optional(),
  engagement: z
    .object({
      likes: z.number().optional(),
      shares: z.number().optional(),
      replies: z.number().optional(),
      views: z.number().optional(),
    })
    .optional(),
  abuse: AbuseVerdict.optional(),
});
export type NormalisedPost = z.infer<typeof NormalisedPost>;
