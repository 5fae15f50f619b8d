import { z } from 'zod';
import { Instant } from './common.js';

/** One message on `tagpulse.deadletter`: what could not be processed, why, and the untouched input. */
export const DeadLetter = z.object({
  schema: z.literal('tagpulse.deadletter/1'),
  /** The stage that refused it, e.g. `collect:mastodon:mastodon.social`, `import:twarc2`, `normalise`. */
  stage: z.string().min(1),
  /** A short machine-readable reason class, e.g. `schema`, `json`, `encoding`, `too-large`. */
  reason: z.string().min(1),
  /** Human-readable detail (the zod issues, the parser message). */
  detail: z.string(),
  at: Instant,
  /** Where the input came from: topic/partition/offset, a file and line, or a URL. */
  origin: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
  /** The input as received; text when it was not valid JSON or UTF-8 (base64 then, with rawEncoding). */
  raw: z.unknown(),
  rawEncoding: z.enum(['json', 'utf8', 'base64']).default('json'),
});
export type DeadLetter = z.infer<typeof DeadLetter>;
