import { setTimeout as delay } from 'node:timers/promises';

/**
 * Time as collectors see it. Injected so tests can observe every wait (a rate limit, a backoff)
 * without really sleeping: a test clock records the sleep and moves its own time forward.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, { signal }),
};

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

/** Exponential backoff with full jitter (a uniform wait in [0, min(cap, base·2^attempt))), so clients retrying together spread out. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(policy.capMs, policy.baseMs * 2 ** attempt));
}
