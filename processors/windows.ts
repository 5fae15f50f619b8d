import { BASE_WINDOW_MS } from '../schemas/index.js';
import { NumberStore } from './runtime/state-store.js';

/** Start (ms since the epoch, UTC) of the one-minute event-time window an instant falls in. */
export function windowStartOf(eventTime: number): number {
  return Math.floor(eventTime / BASE_WINDOW_MS) * BASE_WINDOW_MS;
}

/**
 * Event-time progress of a stage, per input partition: the watermark of a partition is the newest event time
 * (post createdAt) any post on it has carried. A window is closed for a partition once its end is at least the
 * allowed lateness behind that partition's watermark; a post for a closed window is late.
 *
 * Watermarks are per partition, not per stage, because a partition is read in one fixed order: so whether a
 * post is late depends only on the posts before it on its partition, never on how the partitions' batches
 * happened to interleave, and a replay after a crash decides exactly as the first run did.
 */
export class Watermarks {
  readonly store: NumberStore;

  constructor(
    stage: string,
    private readonly partitions: number,
    private readonly allowedLatenessMs: number,
  ) {
    this.store = new NumberStore(`${stage}.watermark`);
  }

  /** Moves a partition's watermark forward to `eventTime` if that is newer. */
  observe(partition: number, eventTime: number): void {
    const key = String(partition);
    const current = this.store.get(key);
    if (current === undefined || eventTime > current) this.store.put(key, eventTime);
  }

  /** Whether the window starting at `windowStart` no longer takes posts from this partition. */
  isClosed(partition: number, windowStart: number): boolean {
    const watermark = this.store.get(String(partition));
    return watermark !== undefined && windowStart + BASE_WINDOW_MS <= watermark - this.allowedLatenessMs;
  }

  /**
   * The instant up to which windows are closed in every partition: state for windows ending by then can never
   * change again and may be evicted. Minus infinity until every partition has carried a post, because a
   * partition that has not may still deliver a post for any window.
   */
  horizon(): number {
    let oldest = Infinity;
    for (let partition = 0; partition < this.partitions; partition++) {
      const watermark = this.store.get(String(partition));
      if (watermark === undefined) return -Infinity;
      oldest = Math.min(oldest, watermark);
    }
    return oldest - this.allowedLatenessMs;
  }
}
