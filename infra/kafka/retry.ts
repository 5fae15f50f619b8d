import { setTimeout as delay } from 'node:timers/promises';
import { errorChain } from './errors.js';

/** How long a producer keeps retrying a send through connection loss (a broker restart): `TAGPULSE_KAFKA_RETRY_DEADLINE_MS`, 2 minutes by default. */
export function kafkaRetryDeadlineMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.TAGPULSE_KAFKA_RETRY_DEADLINE_MS;
  const value = raw ? Number(raw) : Number.NaN;
  return Number.isFinite(value) && value >= 0 ? value : 120_000;
}

const TRANSIENT_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSLockTimeout',
  'KafkaJSTimeout',
]);

const TRANSIENT_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/**
 * Whether a kafkajs error (or the error it wraps: kafkajs' own retrier gives up with
 * KafkaJSNumberOfRetriesExceeded around the last cause) is about reaching the broker, not about the request:
 * connection refused or closed, timeouts, no leader yet. Those are worth retrying; a refused record
 * (too large, invalid) or a broken producer state is not.
 */
export function isTransientKafkaError(error: unknown): boolean {
  for (const link of errorChain(error)) {
    if (link.name && TRANSIENT_NAMES.has(link.name)) return true;
    if (link.name === 'KafkaJSProtocolError' && link.retriable === true) return true;
    if (typeof link.code === 'string' && TRANSIENT_SOCKET_CODES.has(link.code)) return true;
  }
  return false;
}

/**
 * Runs `attempt` until it succeeds, retrying transient Kafka errors with a growing pause (0.5 s up to 5 s) until
 * `deadlineMs` after the first failure; anything else, or the deadline, rejects with the last error.
 */
export async function retryTransient<T>(attempt: () => Promise<T>, deadlineMs: number, onRetry?: (error: unknown, waitedMs: number) => void): Promise<T> {
  let firstFailure: number | undefined;
  let pause = 500;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      firstFailure ??= Date.now();
      const waited = Date.now() - firstFailure;
      if (!isTransientKafkaError(error) || waited + pause > deadlineMs) throw error;
      onRetry?.(error, waited);
      await delay(pause);
      pause = Math.min(pause * 2, 5_000);
    }
  }
}
