import { z } from 'zod';
import { Instant } from './common.js';

/**
 * One message on the compacted `<prefix>.collector.cursors` topic, keyed `source:query`: where a collector's
 * query stands, written in the same Kafka transaction as the envelopes of the page it follows, so the cursor
 * never runs ahead of (or behind) what was committed. `position` is the source's own shape, validated by it.
 */
export const CollectorCursor = z.object({
  schema: z.literal('tagpulse.cursor/1'),
  source: z.string().min(1),
  query: z.string().min(1),
  position: z.unknown(),
  updatedAt: Instant,
});
export type CollectorCursor = z.infer<typeof CollectorCursor>;
