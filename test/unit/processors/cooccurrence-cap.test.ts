import { describe, expect, it } from 'vitest';
import { topicNames } from '../../../infra/kafka/topics.js';
import { ALL_TAGGED_POSTS, cooccurrenceTags, DEFAULT_COOCCURRENCE_MAX_TAGS } from '../../../processors/metrics/cooccurrence.js';
import { MetricsProcessor } from '../../../processors/stages/metrics.js';
import { windowedMetrics } from '../../../processors/topology.js';
import { TagpulseConfig } from '../../../schemas/index.js';
import { latestDocuments, normalisedPost, record, runBatch } from '../../support/processors.js';

const topics = topicNames('t');
const window = new Date(Date.UTC(2026, 2, 8, 10, 0)).toISOString();
/** The metric and changelog topics take records up to 1 MiB (infra/kafka/topics.ts); one over it stops the stage. */
const MAX_RECORD_BYTES = 1024 * 1024;

function metricsProcessor(processing: Partial<TagpulseConfig['processing']> = {}) {
  const config = TagpulseConfig.parse({ processing });
  return new MetricsProcessor({ topics, metricPartitions: () => 3, partitions: 1, allowedLatenessMs: 600_000, metrics: windowedMetrics(config.processing) });
}

const verdict = { abusive: true, towardWomen: true, categories: ['insult'], score: 1, evidence: [], classifierVersion: 'v1' };

describe('co-occurrence of a post with very many tags', () => {
  it('pairs only the first 50 distinct tags in order of appearance, by default', () => {
    expect(DEFAULT_COOCCURRENCE_MAX_TAGS).toBe(50);
    expect(TagpulseConfig.parse({}).processing.cooccurrenceMaxTags).toBe(50);
    const tags = Array.from({ length: 60 }, (_, i) => `t${i}`);
    expect(cooccurrenceTags(tags, 50)).toEqual(tags.slice(0, 50));
    expect(cooccurrenceTags(tags.slice(0, 3), 50)).toEqual(tags.slice(0, 3));
  });

  it('counts a post with 10,000 tags in bounded cells and records: 50 tags paired, every tag in volume and abuse, the post counted as capped', () => {
    const processor = metricsProcessor();
    const tags = Array.from({ length: 10_000 }, (_, i) => `tag${i}`);
    const { outputs, changelog } = runBatch(processor, [
      record(topics.normalised, 0, 0, normalisedPost('mastodon:spam', { tags, abuse: verdict })),
      record(topics.normalised, 0, 1, normalisedPost('mastodon:ok', { tags: ['tag0', 'tag9999'] })),
    ]);
    const pairs = latestDocuments(outputs, topics.cooccurrence);
    // (*, *), the 50 diagonal cells and 50·49/2 pairs of the spam post; the second post adds (tag9999, tag9999) and (tag0, tag9999).
    expect(pairs.size).toBe(1 + 50 + (50 * 49) / 2 + 2);
    expect(pairs.get(`cooccurrence|${window}|mastodon|${ALL_TAGGED_POSTS}|${ALL_TAGGED_POSTS}`)).toMatchObject({ count: 2 });
    expect(pairs.get(`cooccurrence|${window}|mastodon|tag0|tag0`)).toMatchObject({ count: 2 });
    expect(pairs.get(`cooccurrence|${window}|mastodon|tag0|tag49`)).toMatchObject({ count: 1 });
    expect(pairs.has(`cooccurrence|${window}|mastodon|tag0|tag50`)).toBe(false);
    // tag9999 is beyond the spam post's cap: only the second post counts it.
    expect(pairs.get(`cooccurrence|${window}|mastodon|tag9999|tag9999`)).toMatchObject({ count: 1 });
    expect(pairs.get(`cooccurrence|${window}|mastodon|tag0|tag9999`)).toMatchObject({ count: 1 });

    // Volume and abuse count every tag: linear, one small cell per tag.
    const volume = latestDocuments(outputs, topics.volume);
    expect(volume.size).toBe(10_000);
    expect(volume.get(`volume|${window}|mastodon|kk|tag0`)).toMatchObject({ posts: 2 });
    expect(volume.get(`volume|${window}|mastodon|kk|tag5000`)).toMatchObject({ posts: 1 });
    const abuse = latestDocuments(outputs, topics.abuse);
    expect(abuse.size).toBe(10_000);
    expect(abuse.get(`abuse|${window}|mastodon|v1|tag5000`)).toMatchObject({ posts: 1, abusiveTowardWomen: 1 });

    // Every record, metric or changelog, fits a topic's max.message.bytes with room to spare: metric batches and
    // changelog records pack many entries up to a quarter of it.
    for (const out of outputs) expect(Buffer.byteLength(out.key ?? '') + Buffer.byteLength(out.value ?? '')).toBeLessThan(MAX_RECORD_BYTES / 2);
    for (const entry of changelog) expect(Buffer.byteLength(String(entry.key)) + Buffer.byteLength(String(entry.value ?? ''))).toBeLessThan(MAX_RECORD_BYTES / 2);

    expect(processor.takeCounts()).toMatchObject({ posts: 2, counted: 2, cooccurrenceCapped: 1 });
  });

  it('takes the cap from processing.cooccurrenceMaxTags', () => {
    const processor = metricsProcessor({ cooccurrenceMaxTags: 3 });
    const { outputs } = runBatch(processor, [record(topics.normalised, 0, 0, normalisedPost('mastodon:1', { tags: ['d', 'c', 'b', 'a'] }))]);
    const pairs = [...latestDocuments(outputs, topics.cooccurrence).values()].map((d) => `${(d as { tagA: string }).tagA}|${(d as { tagB: string }).tagB}`);
    // The first three in order of appearance (d, c, b), paired in sorted order; a is left out.
    expect(pairs.sort()).toEqual(['*|*', 'b|b', 'b|c', 'b|d', 'c|c', 'c|d', 'd|d']);
    expect(TagpulseConfig.safeParse({ processing: { cooccurrenceMaxTags: 0 } }).success).toBe(false);
  });
});
