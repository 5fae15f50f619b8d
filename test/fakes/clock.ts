import type { Clock } from '../../ingest/framework/clock.js';

/**
 * A clock whose sleeps return at once and move its time forward by the amount asked, recording each:
 * tests assert a collector waited what the platform advertised without really waiting.
 */
export class TestClock implements Clock {
  readonly sleeps: number[] = [];
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.sleeps.push(ms);
    this.offsetMs += ms;
  }
}
