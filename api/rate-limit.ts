/**
 * Per-caller token buckets: each holds up to `burst` requests and refills at `perMinute`; a request takes one
 * token or is refused with the seconds until one is back (429 + Retry-After). Buckets that are full again carry
 * no information and are dropped, so anonymous callers by address cannot grow the table without bound.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #ratePerMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#ratePerMs = perMinute / 60_000;
  }

  /** Takes a token for the caller: 0 when allowed, else the whole seconds to wait. */
  take(caller: string): number {
    const now = this.now();
    const bucket = this.#buckets.get(caller) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) * this.#ratePerMs);
    bucket.at = now;
    this.#buckets.set(caller, bucket);
    if (this.#buckets.size > 10_000) this.#dropFull(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.#ratePerMs / 1000));
  }

  /** What the limit is, for error messages. */
  describe(): string {
    return `${this.perMinute} requests a minute, bursts of ${this.burst}`;
  }

  #dropFull(now: number): void {
    for (const [caller, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.at) * this.#ratePerMs >= this.burst) this.#buckets.delete(caller);
    }
  }
}
