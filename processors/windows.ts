import { BASE_WINDOW_MS } from '../schemas/index.js';
import { NumberStore } from './runtime/state-store.js';

/** Start (ms since the epoch, UTC) of the one-minute event-time window an instant falls in. */
export function windowStartOf(eventTime: number): number {
  return Math.floor(eventTime / BASE_WINDOW_MS) * BASE_WINDOW_MS;
}

/**
 * How far past its arrival a post's event time may lie before the metrics stage reports it (`aheadOfArrival`):
 * platform and collector clocks disagree by seconds to minutes, but a post published an hour after Tagpulse
 * collected it has a wrong or forged timestamp.
 */
export const MAX_CLOCK_SKEW_MS = 60 * 60_000;

/** Whether a post's event time lies past its arrival time by more than clocks disagree (see MAX_CLOCK_SKEW_MS). */
export function isAheadOfArrival(eventTime: number, arrivalTime: number): boolean {
  return eventTime > arrivalTime + MAX_CLOCK_SKEW_MS;
}

/**
 * Event-time progress of a stage, per input partition: the watermark of a partition is the newest event time
 * (post createdAt) any post on it has carried, each post's event time taken at most as its arrival time
 * (collectedAt): a post cannot be published after Tagpulse collected it, and otherwise one post dated 2099 would
 * close every window before 2099 on its partition and make every post after it late. Holding the watermark back
 * is always safe: windows close a little later (a clock skew of seconds), never early. A window is closed for a
 * partition once its end is at least the allowed lateness behind that partition's watermark; a post for a
 * closed window is late.
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

  /** Moves a partition's watermark forward to a post's event time, or its arrival time if earlier, when that is newer. */
  observe(partition: number, eventTime: number, arrivalTime: number): void {
    const key = String(partition);
    const current = this.store.get(key);
    const progress = Math.min(eventTime, arrivalTime);
    if (current === undefined || progress > current) this.store.put(key, progress);
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
