import { setTimeout as delay } from 'node:timers/promises';

export interface WaitOptions {
  timeoutMs: number;
  /** Time between checks; the wait is on the condition, this only paces the polling. */
  intervalMs?: number;
}

/**
 * Polls `condition` until it returns true, or fails with `what` and the last error once the deadline passes.
 * Used wherever we must wait on a real condition (a server ready, a process gone, a message arrived).
 */
export async function waitFor(what: string, condition: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await condition()) return;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError ? ` (last error: ${(lastError as Error).message ?? String(lastError)})` : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${cause}`);
    }
    await delay(options.intervalMs ?? 250);
  }
}
