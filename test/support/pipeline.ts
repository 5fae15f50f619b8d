import { spawn } from 'node:child_process';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { CLI } from './cli.js';
import { createKafka } from '../../infra/kafka/client.js';
import type { SearchStore } from '../../infra/store/search-store.js';
import type { TagpulseConfig } from '../../schemas/index.js';

export interface RawProducer {
  /** Writes messages as they are (garbage included), in order: one key's messages keep their order on its partition. */
  send(topic: string, messages: ReadonlyArray<{ key?: string; value: string | Buffer }>): Promise<void>;
  close(): Promise<void>;
}

export async function openProducer(config: TagpulseConfig): Promise<RawProducer> {
  const producer = createKafka(config.kafka, 'test-producer').producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return {
    async send(topic, messages) {
      for (let i = 0; i < messages.length; i += 2000) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 2000) });
    },
    close: () => producer.disconnect(),
  };
}

export async function produce(config: TagpulseConfig, topic: string, messages: ReadonlyArray<{ key?: string; value: string | Buffer }>): Promise<void> {
  const producer = await openProducer(config);
  try {
    await producer.send(topic, messages);
  } finally {
    await producer.close();
  }
}

/** The partition the producers' default partitioner puts a key on (murmur2, as the Java client). */
export function partitionOf(key: string, partitions = 3): number {
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  return Partitioners.DefaultPartitioner()({ topic: 'any', partitionMetadata, message: { key, value: null } });
}

/** How many documents a logical index holds, after a refresh: the sink's last writes may not be searchable yet. */
export async function countDocuments(store: SearchStore, logical: string): Promise<number> {
  const index = store.alias(logical);
  await store.refresh(index);
  return store.count(index);
}

/** Every document of a logical index matching `query`, with its id (after a refresh, so all writes show). */
export async function searchAll<T>(store: SearchStore, logical: string, query: unknown = { match_all: {} }): Promise<Array<T & { _id: string }>> {
  const index = store.alias(logical);
  await store.refresh(index);
  const response = await store.search<T>(index, { query, size: 10_000 });
  if (response.hits.total.value > 10_000) throw new Error(`searchAll: more than 10000 documents in ${index}; page instead`);
  return response.hits.hits.map((hit) => ({ ...hit._source, _id: hit._id }));
}

/** Every document of a logical index matching `query`, by id, however many (a scroll, after a refresh). */
export async function scanIndex<T>(store: SearchStore, logical: string, query: unknown = { match_all: {} }): Promise<Map<string, T>> {
  const index = store.alias(logical);
  await store.refresh(index);
  type Page = { _scroll_id: string; hits: { hits: Array<{ _id: string; _source: T }> } };
  const documents = new Map<string, T>();
  let page = await store.transport.request<Page>('POST', `/${index}/_search`, { query: { scroll: '1m' }, body: { query, size: 5000, sort: ['_doc'] } });
  try {
    while (page.hits.hits.length > 0) {
      for (const hit of page.hits.hits) documents.set(hit._id, hit._source);
      page = await store.transport.request<Page>('POST', '/_search/scroll', { body: { scroll: '1m', scroll_id: page._scroll_id } });
    }
  } finally {
    await store.transport.request('DELETE', '/_search/scroll', { body: { scroll_id: page._scroll_id } });
  }
  return documents;
}

/** A CLI command running as a child process, as an operator would run it, that a test can kill. */
export interface RunningCli {
  /** The exit code, or the signal that ended it. */
  readonly exited: Promise<number | NodeJS.Signals>;
  readonly running: boolean;
  /** Everything it wrote so far (stdout and stderr), for a failure message. */
  output(): string;
  kill(signal: NodeJS.Signals): Promise<number | NodeJS.Signals>;
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, TAGPULSE_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let running = true;
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | NodeJS.Signals>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      running = false;
      resolve(code ?? signal!);
    });
  });
  return {
    exited,
    get running() {
      return running;
    },
    output: () => output,
    kill(signal) {
      child.kill(signal);
      return exited;
    },
  };
}
