import { z } from 'zod';
import { Instant, Platform } from './common.js';

/**
 * What a source extracted from one platform item, in platform-neutral terms.
 * Sources fill it when they validate a platform response, so normalisation needs no per-platform code:
 * adding a platform means adding one source folder, nothing downstream.
 * Author fields are still clear text here; they are pseudonymised by the normaliser before anything is stored.
 */
export const RawItem = z.object({
  text: z.string(),
  createdAt: Instant,
  author: z
    .object({
      id: z.string().min(1).optional(),
      handle: z.string().min(1).optional(),
    })
    .default({}),
  /** Hashtags as the platform's own entities list them (without `#`); text is searched for more by the normaliser. */
  tags: z.array(z.string()).default([]),
  url: z.url().optional(),
  /** Language the platform claims, if any (BCP-47); the normaliser decides its own. */
  platformLang: z.string().optional(),
  /** For comments and replies: the post they answer, so abuse aimed at a post counts for that post's tags. */
  replyTo: z.object({ platformId: z.string().min(1) }).optional(),
  /** Thread / video / conversation the item belongs to, when the platform has one. */
  threadId: z.string().optional(),
  engagement: z
    .object({
      likes: z.number().int().nonnegative().optional(),
      shares: z.number().int().nonnegative().optional(),
      replies: z.number().int().nonnegative().optional(),
      views: z.number().int().nonnegative().optional(),
    })
    .optional(),
});
export type RawItem = z.infer<typeof RawItem>;

/**
 * The raw envelope: one message on `tagpulse.posts.raw`, keyed `platform:platformId`.
 * Every collector and importer produces exactly this.
 */
export const RawEnvelope = z.object({
  schema: z.literal('tagpulse.raw/1'),
  /** The collector or importer instance, e.g. `mastodon:mastodon.social` or `import:telegram-desktop`. */
  source: z.string().min(1),
  platform: Platform,
  /** The platform's own id of the item; unique within the platform. */
  platformId: z.string().min(1),
  /** Arrival time at the collector (not the post's own time, which is item.createdAt). */
  collectedAt: Instant,
  /** The tag or query that found the item, if collected by tag. */
  query: z.string().optional(),
  item: RawItem,
  /** The platform's original item, untouched, for provenance and re-processing. */
  payload: z.unknown(),
});
export type RawEnvelope = z.infer<typeof RawEnvelope>;

/** The Kafka key of a raw envelope: one post keeps one key across sources and polls, so it lands on one partition. */
export function rawKey(envelope: Pick<RawEnvelope, 'platform' | 'platformId'>): string {
  return postKey(envelope.platform, envelope.platformId);
}

/** A post's id, `platform:platformId`: the raw key, and (with the platform id's account pseudonymised) its normalised id. */
export function postKey(platform: Platform, platformId: string): string {
  return `${platform}:${platformId}`;
}
