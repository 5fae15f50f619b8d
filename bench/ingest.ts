import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Partitioners } from 'kafkajs';
import { createKafka } from '../infra/kafka/client.js';
import { topicNames } from '../infra/kafka/topics.js';
import { openKafkaSink } from '../ingest/kafka-sink.js';
import { readImportFile, runImport, DEFAULT_BATCH_SIZE } from '../ingest/imports/run.js';
import { rawKey, type TagpulseConfig } from '../schemas/index.js';
import { generateImportBenchFile } from './imports.js';
import { producerPerformance } from './kafka-limit.js';
import { freshConfig } from './pipeline.js';

export interface IngestBench {
  items: number;
  /** `tagpulse import` of a generic JSONL file into the raw topic: read, validate, envelope, produce. */
  importPerSecond: number;
  /** The limit: Kafka's own ProducerPerformance tool, the same number of messages of the same mean size, acks=all. */
  producerPerformancePerSecond: number;
  /** importPerSecond / producerPerformancePerSecond. */
  ratio: number;
  /** A bare kafkajs producer sending the same keyed messages, in the same batches, with the same settings. */
  bareKafkajsPerSecond: number;
  ratioToBareKafkajs: number;
  meanMessageBytes: number;
}

/**
 * Import throughput into Kafka as a ratio to the broker's own limit (ProducerPerformance, same message count and
 * size), with a bare kafkajs producer beside it, all measured in one run on the same broker.
 */
export async function benchIngest(base: TagpulseConfig, items = 200_000): Promise<IngestBench> {
  const config = await freshConfig(base, 'ingest');
  const dir = mkdtempSync(join(tmpdir(), 'tagpulse-bench-ingest-'));
  try {
    const file = await generateImportBenchFile(dir, items);
    const messages: { key: string; value: string }[] = [];
    for await (const event of readImportFile('generic-jsonl', file, { rejectedAt: new Date().toISOString() })) {
      if ('envelope' in event) messages.push({ key: rawKey(event.envelope), value: JSON.stringify(event.envelope) });
    }
    const topic = topicNames(config.kafka.topicPrefix).raw;

    const producer = createKafka(config.kafka, 'bench-bare').producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    const bareStart = performance.now();
    for (let i = 0; i < messages.length; i += DEFAULT_BATCH_SIZE) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + DEFAULT_BATCH_SIZE) });
    }
    const bareSeconds = (performance.now() - bareStart) / 1000;
    await producer.disconnect();

    const sink = await openKafkaSink(config);
    const importStart = performance.now();
    const summary = await runImport({ format: 'generic-jsonl', files: [file], sink });
    const importSeconds = (performance.now() - importStart) / 1000;
    await sink.close();

    const importPerSecond = summary.sent / importSeconds;
    const bareKafkajsPerSecond = messages.length / bareSeconds;
    const meanMessageBytes = Math.round(messages.reduce((sum, m) => sum + Buffer.byteLength(m.value), 0) / messages.length);
    const limit = await producerPerformance(config, topic, messages.length, meanMessageBytes);
    return {
      items: summary.sent,
      importPerSecond: Math.round(importPerSecond),
      producerPerformancePerSecond: limit.recordsPerSecond,
      ratio: Number((importPerSecond / limit.recordsPerSecond).toFixed(3)),
      bareKafkajsPerSecond: Math.round(bareKafkajsPerSecond),
      ratioToBareKafkajs: Number((importPerSecond / bareKafkajsPerSecond).toFixed(3)),
      meanMessageBytes,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
