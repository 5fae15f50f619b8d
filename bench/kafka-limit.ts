import { spawn } from 'node:child_process';
import { createKafka } from '../infra/kafka/client.js';
import { KAFKA_VERSION } from '../infra/local/kafka-node.js';
import { requireJava, resolveJars } from '../infra/local/toolchain.js';
import type { TagpulseConfig } from '../schemas/index.js';

/** kafkajs' ConfigResourceTypes.TOPIC (a const enum of a CommonJS module, so not importable by name under ESM). */
const TOPIC_RESOURCE = 2;

export interface ProducerPerformance {
  records: number;
  recordBytes: number;
  recordsPerSecond: number;
  megabytesPerSecond: number;
  avgLatencyMs: number;
  p99LatencyMs: number;
}

/** The closing line of ProducerPerformance: `N records sent, R records/sec (M MB/sec), A ms avg latency, …, P ms 99th, …`. */
export function parseProducerPerformance(output: string): Omit<ProducerPerformance, 'recordBytes'> {
  const line = output
    .trim()
    .split('\n')
    .reverse()
    .find((l) => /records sent,.*records\/sec/.test(l));
  const match = line?.match(/^(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency.*?, ([\d.]+) ms 99th/);
  if (!match) throw new Error(`ProducerPerformance printed no summary line: ${output.slice(-500)}`);
  return {
    records: Number(match[1]),
    recordsPerSecond: Math.round(Number(match[2])),
    megabytesPerSecond: Number(match[3]),
    avgLatencyMs: Number(match[4]),
    p99LatencyMs: Number(match[5]),
  };
}

/**
 * The broker's own limit for producing `records` messages of `recordBytes` each: Kafka's ProducerPerformance tool
 * (org.apache.kafka.tools.ProducerPerformance, kafka-tools from the same Maven-resolved 3.9.1 jars as the broker),
 * unthrottled, with acks=all and idempotence as Tagpulse's producers use, batches as large as the import's and a
 * 5 ms linger, into a topic with the raw topic's partitions and settings: what a tuned client gets from the broker.
 */
export async function producerPerformance(config: TagpulseConfig, like: string, records: number, recordBytes: number): Promise<ProducerPerformance> {
  const admin = createKafka(config.kafka, 'bench-admin').admin();
  const topic = `${config.kafka.topicPrefix}.bench.producer-performance`;
  await admin.connect();
  try {
    const [described] = (await admin.fetchTopicMetadata({ topics: [like] })).topics;
    const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: TOPIC_RESOURCE, name: like }] });
    const configEntries = resources[0]!.configEntries.filter((e) => !e.isDefault && !e.readOnly).map((e) => ({ name: e.configName, value: e.configValue }));
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: described!.partitions.length, replicationFactor: 1, configEntries }] });
  } finally {
    await admin.disconnect();
  }
  const java = requireJava();
  const jars = resolveJars({ name: 'kafka', version: KAFKA_VERSION });
  const args = [
    '-Xmx512m',
    '-cp',
    `${jars}/*`,
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic',
    topic,
    '--num-records',
    String(records),
    '--record-size',
    String(recordBytes),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${config.kafka.brokers.join(',')}`,
    'acks=all',
    'enable.idempotence=true',
    // Batches as large as the import's (500 messages a request): the limit is the broker's, not a small default batch's.
    `batch.size=${Math.max(16_384, recordBytes * 500)}`,
    'linger.ms=5',
  ];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(java, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`ProducerPerformance exited ${code}: ${text.slice(-800)}`))));
  });
  return { ...parseProducerPerformance(output), recordBytes };
}
