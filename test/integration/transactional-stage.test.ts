import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createKafka } from '../../infra/kafka/client.js';
import { topicNames } from '../../infra/kafka/topics.js';
import { readCommittedToEnd } from '../../ingest/framework/kafka.js';
import type { Emit, InputRecord, StreamProcessor } from '../../processors/runtime/processor.js';
import { StageProgress } from '../../processors/runtime/progress.js';
import { TransactionalStage } from '../../processors/runtime/transactional-stage.js';
import { initialisedConfig } from '../support/config.js';

/**
 * Echoes each record to `output`, except in the first batch it processes, where it emits a record larger than
 * `refusing` takes, so that batch's transaction fails. Notes the partitions whose batches it processed.
 */
class FirstBatchRefused implements StreamProcessor {
  readonly stores = [];
  readonly processedPartitions: number[] = [];
  #refusedPartition: number | undefined;

  constructor(private readonly topics: { output: string; refusing: string }) {}

  process(record: InputRecord, emit: Emit): void {
    this.#refusedPartition ??= record.partition;
    if (!this.processedPartitions.includes(record.partition)) this.processedPartitions.push(record.partition);
    if (record.partition === this.#refusedPartition) emit({ topic: this.topics.refusing, key: 'too-large', value: 'x'.repeat(2 * 1024 * 1024) });
    else emit({ topic: this.topics.output, key: `echo-${record.partition}`, value: String(record.value) });
  }

  endBatch(): void {}
  afterRestore(): void {}
  takeCounts(): Record<string, number> {
    return {};
  }
}

describe('a transactional stage whose transaction fails', () => {
  it('commits nothing of the batches processed after it, though they were queued behind it', async () => {
    const config = await initialisedConfig();
    const topics = topicNames(config.kafka.topicPrefix);
    const kafka = createKafka(config.kafka, 'test-stage');
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    // One record in each of the raw topic's three partitions, all there before the stage's first fetch.
    await producer.send({ topic: topics.raw, acks: -1, messages: [0, 1, 2].map((partition) => ({ partition, value: `in ${partition}` })) });
    await producer.disconnect();

    // The metric topics take records of at most 1 MiB: the first batch's transaction is refused.
    const processor = new FirstBatchRefused({ output: topics.normalised, refusing: topics.volume });
    const groupId = `${config.kafka.topicPrefix}.failing-stage`;
    const stage = new TransactionalStage(
      kafka,
      processor,
      { input: topics.raw, groupId, transactionalId: groupId, changelogTopic: topics.changelog },
      new StageProgress('failing', groupId, [topics.raw]),
    );
    await stage.fence();
    await stage.start();
    try {
      await expect(stage.failure.promise).rejects.toThrow(/larger than the max message size/);
    } finally {
      await stage.stop();
    }

    // The fetch brought all three partitions: the later batches were processed while the first one's transaction
    // was under way, and their transactions queued behind it.
    expect(processor.processedPartitions).toHaveLength(3);
    const committed: string[] = [];
    await readCommittedToEnd(config, topics.normalised, (message) => committed.push(String(message.key)));
    expect(committed).toEqual([]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topics.raw] });
      expect(offsets!.partitions.map((p) => p.offset)).toEqual(['-1', '-1', '-1']);
    } finally {
      await admin.disconnect();
    }
  });
});
