import { DeadLetter, RawEnvelope, rawKey, type CollectorCursor, type TagpulseConfig } from '../../schemas/index.js';
import { topicNames } from '../../infra/kafka/topics.js';
import { Collector, type SourceSummary } from '../../ingest/framework/collector.js';
import { openPageWriter, readCommittedToEnd, restoreCursors } from '../../ingest/framework/kafka.js';
import { createSource } from '../../ingest/sources/index.js';
import { TestClock } from './clock.js';

export interface CollectOptions {
  clock?: TestClock;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/**
 * One `collect --once` pass of the config's enabled sources with the production collector, against the run's
 * real Kafka. Every call opens a fresh collector (cursors restored from the topic, new transactional producers):
 * what a restarted process does. Backoff jitter is fixed at half the window so waits are predictable.
 */
export async function collectOnce(config: TagpulseConfig, options: CollectOptions = {}): Promise<SourceSummary[]> {
  const clock = options.clock ?? new TestClock();
  const sources = config.sources
    .filter((source) => source.enabled)
    .map((source) => createSource(config, source, { clock, env: options.env ?? {}, http: { random: () => 0.5 } }));
  const collector = await Collector.open(config, sources, { clock });
  try {
    return await collector.runOnce(options.signal ?? new AbortController().signal);
  } finally {
    await collector.close();
  }
}

/**
 * Waits until the last transaction of each of the config's sources is complete. A commit returns before its
 * markers reach the partitions, and until then read_committed readers stop short of it; a new writer for the
 * source waits for them (it would also fence a collector of the source still running: call this after it ended).
 */
export async function settle(config: TagpulseConfig): Promise<void> {
  for (const source of config.sources) await (await openPageWriter(config, source.name)).close();
}

async function committed<T>(config: TagpulseConfig, topic: string, parse: (value: unknown) => T): Promise<T[]> {
  await settle(config);
  const values: T[] = [];
  await readCommittedToEnd(config, topic, (message) => values.push(parse(JSON.parse(message.value!.toString()))));
  return values;
}

/** Every committed raw envelope, in topic order (per partition). */
export function rawEnvelopes(config: TagpulseConfig): Promise<RawEnvelope[]> {
  return committed(config, topicNames(config.kafka.topicPrefix).raw, (v) => RawEnvelope.parse(v));
}

export function deadLetters(config: TagpulseConfig): Promise<DeadLetter[]> {
  return committed(config, topicNames(config.kafka.topicPrefix).deadLetter, (v) => DeadLetter.parse(v));
}

/** The cursors a restarted collector would restore, by `source:query`. */
export async function storedCursors(config: TagpulseConfig): Promise<Map<string, CollectorCursor>> {
  await settle(config);
  return restoreCursors(config);
}

/** Keys of the envelopes (`platform:platformId`), and how many times each was sent. */
export function keyCounts(envelopes: readonly RawEnvelope[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const envelope of envelopes) counts.set(rawKey(envelope), (counts.get(rawKey(envelope)) ?? 0) + 1);
  return counts;
}
