import { describe, expect, it } from 'vitest';
import { topicNames } from '../../../infra/kafka/topics.js';
import { partitionOf } from '../../../infra/kafka/partitioner.js';
import { MetricsProcessor } from '../../../processors/stages/metrics.js';
import { windowedMetrics } from '../../../processors/topology.js';
import { MetricBatchLine, metricBatchLine, readMetricBatch, TagpulseConfig } from '../../../schemas/index.js';
import { normalisedPost, record, runBatch } from '../../support/processors.js';

const topics = topicNames('t');

describe('metric batches', () => {
  it('read back every id and document as written, whatever characters the id holds', () => {
    const ids = ['volume|2026-03-08T10:00:00.000Z|mastodon|kk|seruen', 'late|generic:a\tb\nc "quoted" \\ ключ'];
    const documents = [{ n: 1, text: 'tab\there, newline\nthere' }, { n: 2 }];
    const value = ids.map((id, i) => metricBatchLine(id, JSON.stringify(documents[i]))).join('\n');
    expect(readMetricBatch(value).map(({ id, json }) => [id, JSON.parse(json)])).toEqual(ids.map((id, i) => [id, documents[i]]));
    expect(() => readMetricBatch('no tab here')).toThrow(/line 1/);
    expect(() => readMetricBatch('{"not":"a string"}\t{}')).toThrow(/line 1/);
  });

  it('put each cell on the partition its id hashes to, one batch per metric and partition, every document valid', () => {
    const processor = new MetricsProcessor({
      topics,
      partitions: 1,
      metricPartitions: () => 3,
      allowedLatenessMs: 600_000,
      metrics: windowedMetrics(TagpulseConfig.parse({}).processing),
    });
    const posts = Array.from({ length: 40 }, (_, i) =>
      record(topics.normalised, 0, i, normalisedPost(`mastodon:${i}`, {
          tags: [`tag${i % 7}`, `tag${i % 5}`],
          author: { id: `u${i}` },
          abuse: { abusive: i % 2 === 0, towardWomen: false, categories: [], score: 0, evidence: [], classifierVersion: 'v1' },
        })),
    );
    const { outputs } = runBatch(processor, posts);
    const batches = outputs.filter((out) => out.key === null);
    const seen = new Set<string>();
    for (const batch of batches) {
      if (batch.key !== null) continue;
      expect(seen.has(`${batch.topic}/${batch.partition}`)).toBe(false);
      seen.add(`${batch.topic}/${batch.partition}`);
      for (const { id, json } of readMetricBatch(batch.value)) {
        expect(partitionOf(id, 3)).toBe(batch.partition);
        expect(MetricBatchLine.safeParse({ id, document: JSON.parse(json) }).success).toBe(true);
      }
    }
    // Three metrics over three partitions, each with cells on every partition.
    expect(seen.size).toBe(9);
  });
});
