import { z } from 'zod';

/** Platforms Tagpulse knows. `generic` is for researcher-made JSONL/CSV imports. */
export const Platform = z.enum([
  'mastodon',
  'bluesky',
  'telegram',
  'vk',
  'youtube',
  'x',
  'instagram',
  'tiktok',
  'generic',
]);
export type Platform = z.infer<typeof Platform>;

/** Languages the offline identifier decides between. */
export const Lang = z.enum(['kk', 'ru', 'en', 'other']);
export type Lang = z.infer<typeof Lang>;

/** ISO-8601 instant with an offset (UTC `Z` or `+05:00`), as every timestamp on the wire. */
export const Instant = z.iso.datetime({ offset: true });
