import { z } from 'zod';

/**
 * recent_media lists media published in the last 24 hours; an id is remembered an hour longer, for the skew
 * between Instagram's clock and ours. Once pruned, a media is out of the listing and cannot come again.
 */
export const SENT_RETENTION_MS = 25 * 3_600_000;

/**
 * A hashtag's cursor. recent_media is not in chronological order, so no position can say what is new: the
 * cursor keeps the media already sent instead. It lives in the query's cursor rather than in the source's
 * `@state` because the cursor is committed in the very transaction of the page whose media it records and the
 * runner only moves on from a committed one, whereas the state is also committed at the end of a run whose
 * page failed (and stays ahead in memory): media marked sent there but never written would be lost.
 */
export const InstagramCursor = z.object({
  /**
   * Media already sent to the raw topic (or dead-lettered), by id: the media's `timestamp`, epoch seconds.
   * Absent from a cursor of the older `{ highWater }` shape: that tag's window is then sent once more.
   */
  sent: z.record(z.string(), z.number().int()).default({}),
  /** The run in progress: its id and how many pages it has committed (a run is never resumed by another, see source.ts). */
  run: z.object({ id: z.string(), pages: z.number().int().positive() }).optional(),
});
export type InstagramCursor = z.infer<typeof InstagramCursor>;

/**
 * `sent` without media older than the retention, and at most `limit` of the newest: the bound keeps each
 * page's cursor small. Dropping an id beyond it can only re-send that media (the raw key absorbs it), never lose one.
 */
export function keepSent(sent: Readonly<Record<string, number>>, now: number, limit: number): Record<string, number> {
  const since = Math.floor((now - SENT_RETENTION_MS) / 1000);
  const kept = Object.entries(sent).filter(([, at]) => at > since);
  if (kept.length > limit) kept.sort(([, a], [, b]) => b - a).splice(limit);
  return Object.fromEntries(kept);
}
