import { readMetricBatch, type NormalisedPost, type RawEnvelope } from '../../schemas/index.js';
import type { InputRecord, OutputRecord, StreamProcessor } from '../../processors/runtime/processor.js';
import type { ChangelogRecord } from '../../processors/runtime/state-store.js';
import { changelogApplier } from '../../processors/runtime/restore.js';

/** A pseudonymisation key for tests (the real one comes from the environment). */
export const TEST_PSEUDONYM_KEY = 'k'.repeat(64);

/** A raw envelope of a Mastodon post; `item` fields override the defaults one by one. */
export function rawEnvelope(
  platformId: string,
  item: Partial<RawEnvelope['item']> = {},
  envelope: Partial<Omit<RawEnvelope, 'item'>> = {},
): RawEnvelope {
  return {
    schema: 'tagpulse.raw/1',
    source: 'test',
    platform: 'mastodon',
    platformId,
    collectedAt: '2026-03-08T12:00:00Z',
    payload: { id: platformId },
    ...envelope,
    item: { text: '', createdAt: '2026-03-08T10:00:00Z', author: { id: `author-${platformId}` }, tags: [], ...item },
  };
}

/** A normalised post as the normalise stage writes it; fields override the defaults. */
export function normalisedPost(id: string, fields: Partial<NormalisedPost> = {}): NormalisedPost {
  return {
    schema: 'tagpulse.post/1',
    id,
    platform: 'mastodon',
    platformId: id.split(':')[1] ?? id,
    sources: ['test'],
    createdAt: '2026-03-08T10:00:00.000Z',
    collectedAt: '2026-03-08T12:00:00.000Z',
    text: '',
    lang: 'kk',
    tags: [],
    tagsAsWritten: [],
    families: [],
    author: { id: `h1:${id}` },
    ...fields,
  };
}

export function record(topic: string, partition: number, offset: number, value: unknown, key?: string): InputRecord {
  return {
    topic,
    partition,
    offset: String(offset),
    key: key === undefined ? null : Buffer.from(key),
    value: Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  };
}

export interface BatchResult {
  outputs: OutputRecord[];
  changelog: ChangelogRecord[];
}

/**
 * Feeds one batch to a processor the way the exactly-once runtime does (records, end of batch, then every
 * store's changelog), without Kafka.
 */
export function runBatch(processor: StreamProcessor, records: readonly InputRecord[]): BatchResult {
  const outputs: OutputRecord[] = [];
  for (const r of records) processor.process(r, (out) => outputs.push(out));
  processor.endBatch((out) => outputs.push(out));
  return { outputs, changelog: processor.stores.flatMap((store) => store.takeChangelog()) };
}

/** Restores a fresh processor from changelog records, as a start does after reading the changelog topic. */
export function restoreInto(processor: StreamProcessor, changelog: readonly ChangelogRecord[]): void {
  const apply = changelogApplier(processor.stores);
  for (const { key, value } of changelog) apply(key, value);
  for (const store of processor.stores) store.finishRestore();
  processor.afterRestore();
}

/**
 * The latest document of every id among outputs (a keyed record's key, each line of a metric batch): what the
 * index ends up holding.
 */
export function latestDocuments(outputs: readonly OutputRecord[], topic?: string): Map<string, unknown> {
  const latest = new Map<string, unknown>();
  for (const out of outputs) {
    if (topic !== undefined && out.topic !== topic) continue;
    if (out.key !== null) latest.set(out.key, JSON.parse(out.value));
    else for (const { id, json } of readMetricBatch(out.value)) latest.set(id, JSON.parse(json));
  }
  return latest;
}
