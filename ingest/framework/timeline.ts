import { z } from 'zod';
import type { PageBuilder, SourcePage } from './source.js';

/**
 * Collecting a newest-first timeline (a hashtag timeline, a search sorted by latest, a channel) without gaps.
 *
 * Such timelines can only be read from the newest item backwards. A run therefore starts at the newest item and
 * pages back until it reaches the previous run's high-water mark (the newest item that run saw), or the end of
 * the timeline on the very first run. The new high-water mark (this run's newest item, its `top`) is stored only
 * when that backfill is complete: were it stored at the start, a run killed half-way would leave the items
 * between its last page and the old mark uncollected forever. Until then the cursor holds the unfinished run
 * (`top`, and `next`: where to continue paging back), committed with each page, so a restarted collector
 * resumes exactly after the last committed page. Items newer than `top` that arrive meanwhile are collected
 * by the next run, which stops at `top`. Positions are the platform's own tokens (a status id, a timestamp,
 * a message id); continuation tokens likewise (a `max_id`, an opaque search cursor, a `before` id).
 *
 * A run that hits `maxPages` simply ends with its backfill unfinished; the next run continues it. Overlaps at
 * the boundaries (a platform whose filter is inclusive) re-send an item or two: the raw topic's key
 * `platform:platformId` makes those duplicates harmless downstream.
 */
export const TimelineCursor = z.object({
  /** Newest position covered by the last finished run. */
  highWater: z.string().optional(),
  /** A run in progress. */
  run: z
    .object({
      /** Newest position this run has seen: the high-water mark once it finishes. */
      top: z.string().optional(),
      /** Continuation token for the next (older) page. */
      next: z.string(),
    })
    .optional(),
});
export type TimelineCursor = z.infer<typeof TimelineCursor>;

export interface TimelineRequest {
  query: string;
  /** Only items newer than this are wanted: the page stops there (`older` undefined) once it reaches it. */
  highWater?: string;
  /** Continue an unfinished run from here; absent: start at the newest item. */
  next?: string;
  /** The unfinished run's newest position, for platforms that pin a result set with it (Bluesky's `until`). */
  top?: string;
  signal: AbortSignal;
}

export interface TimelineFetch {
  page: PageBuilder;
  /** Position of the newest item on this page (valid or not). */
  newest?: string;
  /** Continuation token for older items; undefined at the end of the timeline or when the page reached `highWater`. */
  older?: string;
}

/** The cursor after a page, and whether the run is complete. */
export function advanceTimeline(cursor: TimelineCursor, fetched: Pick<TimelineFetch, 'newest' | 'older'>): { cursor: TimelineCursor; done: boolean } {
  const top = cursor.run?.top ?? fetched.newest;
  if (fetched.older === undefined) {
    return { cursor: { highWater: top ?? cursor.highWater }, done: true };
  }
  return { cursor: { highWater: cursor.highWater, run: { top, next: fetched.older } }, done: false };
}

/** Turns a source's "fetch one page of this timeline" into the framework's `fetchPage`. */
export function newestFirst(
  fetchTimeline: (request: TimelineRequest) => Promise<TimelineFetch>,
): (query: string, cursor: TimelineCursor | undefined, signal: AbortSignal) => Promise<SourcePage<TimelineCursor>> {
  return async (query, cursor = {}, signal) => {
    const fetched = await fetchTimeline({ query, highWater: cursor.highWater, next: cursor.run?.next, top: cursor.run?.top, signal });
    const next = advanceTimeline(cursor, fetched);
    return fetched.page.page(next.cursor, next.done);
  };
}
