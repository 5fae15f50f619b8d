import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Partitioners } from 'kafkajs';
import { initialise } from '../infra/init.js';
import { createKafka } from '../infra/kafka/client.js';
import { topicNames } from '../infra/kafka/topics.js';
import { openStore } from '../infra/store/open.js';
import type { SearchStore } from '../infra/store/search-store.js';
import { waitFor } from '../infra/wait.js';
import { runImport } from '../ingest/imports/run.js';
import { openKafkaSink } from '../ingest/kafka-sink.js';
import { stageConsumer } from '../processors/runtime/stage-consumer.js';
import { produceRequests } from '../processors/runtime/transactional-stage.js';
import { canonicalTag } from '../processors/normalise/canonical.js';
import { runProcessors, type RunOptions } from '../processors/run.js';
import type { StageName } from '../processors/topology.js';
import { latestTopicDocuments } from '../infra/kafka/topic-documents.js';
import { rawKey, TagpulseConfig, type RawEnvelope } from '../schemas/index.js';
import { postedPerSecond, type PostingTimes } from '../test/fixtures/imports/generate.js';
import { generateImportBenchFile } from './imports.js';

/** A pseudonymisation key for the bench's own data (never stored beyond the bench's topics and indices). */
const env = { ...process.env, TAGPULSE_PSEUDONYM_KEY: randomBytes(32).toString('hex') };

/** A config whose topics and indices are its own: both prefixes are the base's topic prefix and `name`. */
export function prefixedConfig(base: TagpulseConfig, name: string): TagpulseConfig {
  const prefix = `${base.kafka.topicPrefix}${name}`;
  return TagpulseConfig.parse({ ...base, kafka: { ...base.kafka, topicPrefix: prefix }, search: { ...base.search, indexPrefix: prefix } });
}

/** A config with topics and indices of its own on the bench's stack, initialised. */
export async function freshConfig(base: TagpulseConfig, name: string): Promise<TagpulseConfig> {
  const config = prefixedConfig(base, name);
  await initialise(config);
  return config;
}

/**
 * Imports `items` generic posts into the raw topic (not timed: the ingest benchmark times this), 67 s apart unless
 * `postedAt` says otherwise.
 */
export async function fillRaw(config: TagpulseConfig, items: number, postedAt?: PostingTimes): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tagpulse-bench-pipeline-'));
  try {
    const file = await generateImportBenchFile(dir, items, postedAt);
    const sink = await openKafkaSink(config);
    try {
      await runImport({ format: 'generic-jsonl', files: [file], sink });
    } finally {
      await sink.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The q-quantile (nearest rank) of ascending values, rounded. */
export function percentile(sorted: readonly number[], q: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
}

/**
 * Times a run of the processors by its work: from the first batch that `first` begins to the last batch that
 * `last` ends (the last documents stored, or the last outputs committed). The threads' start, the consumers
 * joining their groups, restoring state, the idle checks of `--until-idle` and stopping are left out, as the
 * limits they are compared with are timed from their first request to their last answer.
 */
function workSpan(first: StageName, last: StageName): { onProgress: RunOptions['onProgress']; seconds(): number } {
  let began: number | undefined;
  let ended: number | undefined;
  return {
    onProgress(stage, event) {
      if (event.kind === 'begin' && stage === first) began ??= performance.now();
      if (event.kind === 'end' && stage === last) ended = performance.now();
    },
    seconds() {
      if (began === undefined || ended === undefined) throw new Error(`no batch of ${first} or ${last} was seen`);
      return (ended - began) / 1000;
    },
  };
}

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = performance.now();
  const result = await run();
  return { result, seconds: (performance.now() - started) / 1000 };
}

export interface SinkBench {
  documents: number;
  /** The search sink (stage `sink` of `tagpulse process`) storing the normalised posts, timed by its work (workSpan). */
  sinkPerSecond: number;
  /** The limit: a bare `_bulk` loader sending the same documents, ~5 MB a request, two requests in flight. */
  bareBulkPerSecond: number;
  ratio: number;
}

/**
 * The search sink against a bare bulk loader. `items` posts are normalised first (not timed), then the sink
 * stores them from the normalised topic into the posts index; the bare loader reads the same documents from
 * that topic and bulk-indexes them into a second, identically defined posts index.
 */
export async function benchSink(base: TagpulseConfig, items = 50_000): Promise<SinkBench> {
  const config = await freshConfig(base, 'sink');
  await fillRaw(config, items);
  await runProcessors(config, { stages: ['normalise'], untilIdle: true, env });
  const documents = await topicDocuments(config, topicNames(config.kafka.topicPrefix).normalised);

  const span = workSpan('sink', 'sink');
  const summary = await runProcessors(config, { stages: ['sink'], untilIdle: true, env, onProgress: span.onProgress });
  const indexed = summary.sink?.indexed ?? documents.length;

  const bare = await freshConfig(base, 'bulk');
  const bareSeconds = await bareBulk(bare, [{ logical: 'posts', documents }]);
  const sinkPerSecond = indexed / span.seconds();
  const bareBulkPerSecond = documents.length / bareSeconds;
  return {
    documents: documents.length,
    sinkPerSecond: Math.round(sinkPerSecond),
    bareBulkPerSecond: Math.round(bareBulkPerSecond),
    ratio: Number((sinkPerSecond / bareBulkPerSecond).toFixed(3)),
  };
}

/** The latest document of every id on a topic, as a bulk loader takes them. */
async function topicDocuments(config: TagpulseConfig, topic: string): Promise<Array<{ id: string; source: string }>> {
  return [...(await latestTopicDocuments(config, topic, 300_000))].map(([id, source]) => ({ id, source }));
}

/**
 * Seconds a bare `_bulk` loader takes to store these documents into the indices of a fresh config (as fast as a
 * plain client goes: ~5 MB requests, two in flight, one per core of the engine's machine), then checks they all
 * arrived.
 */
async function bareBulk(config: TagpulseConfig, loads: ReadonlyArray<{ logical: string; documents: ReadonlyArray<{ id: string; source: string }> }>): Promise<number> {
  const store = await openStore(config);
  try {
    const bodies: string[] = [];
    let body = '';
    for (const { logical, documents } of loads) {
      const index = JSON.stringify(store.alias(logical));
      for (const d of documents) {
        body += `{"index":{"_index":${index},"_id":${JSON.stringify(d.id)}}}\n${d.source}\n`;
        if (body.length > 5 * 1024 * 1024) {
          bodies.push(body);
          body = '';
        }
      }
    }
    if (body) bodies.push(body);
    const url = new URL('/_bulk', config.search.node);
    const send = async (request: string) => {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: request });
      const answer = (await response.json()) as { errors: boolean; items: Array<{ index: { error?: unknown } }> };
      if (!response.ok || answer.errors) throw new Error(`bare bulk failed: ${JSON.stringify(answer.items.find((it) => it.index.error))}`);
    };
    const bulk = await timed(async () => {
      let next = 0;
      const worker = async () => {
        while (next < bodies.length) await send(bodies[next++]!);
      };
      await Promise.all([worker(), worker()]);
    });
    for (const { logical, documents } of loads) {
      await store.refresh(store.alias(logical));
      if ((await store.count(store.alias(logical))) !== documents.length) throw new Error(`bare bulk: not every ${logical} document was stored`);
    }
    return bulk.seconds;
  } finally {
    await store.close();
  }
}

export interface EndToEndBench {
  posts: number;
  /** Raw topic → normalised, metrics, and every document stored: from normalise's first batch to the sink's last (workSpan). */
  postsPerSecond: number;
  /** Documents the run stored: the posts and the final metric documents (about ten per post: see docs/benchmarks.md). */
  documents: number;
  /** The bare bulk loader storing those same documents, in posts/s. */
  bareBulkPostsPerSecond: number;
  /** The slower of the limits: Kafka's ProducerPerformance (measured in the ingest benchmark) and the bare bulk loader. */
  limitPerSecond: number;
  limitIs: string;
  ratio: number;
}

/**
 * Every stage from the raw topic to searchable documents, against the slower of the two physical limits: Kafka's
 * ProducerPerformance, and a bare bulk loader storing the same documents the run stored (the posts, and the
 * latest document of every metric cell, read back from the topics), so that both sides write the same bytes.
 */
export async function benchEndToEnd(base: TagpulseConfig, producerPerformancePerSecond: number, items = 50_000): Promise<EndToEndBench> {
  const config = await freshConfig(base, 'e2e');
  const topics = topicNames(config.kafka.topicPrefix);
  await fillRaw(config, items);
  const store = await openStore(config);
  let posts: number;
  let seconds: number;
  try {
    const span = workSpan('normalise', 'sink');
    await runProcessors(config, { stages: ['normalise', 'metrics', 'sink'], untilIdle: true, env, threads: true, onProgress: span.onProgress });
    for (const logical of ['posts', 'metrics-volume', 'metrics-cooccurrence', 'metrics-abuse', 'metrics-late']) await store.refresh(store.alias(logical));
    posts = await store.count(store.alias('posts'));
    seconds = span.seconds();
  } finally {
    await store.close();
  }
  const loads = [];
  for (const [logical, topic] of [
    ['posts', topics.normalised],
    ['metrics-volume', topics.volume],
    ['metrics-cooccurrence', topics.cooccurrence],
    ['metrics-abuse', topics.abuse],
    ['metrics-late', topics.late],
  ] as const) {
    loads.push({ logical, documents: await topicDocuments(config, topic) });
  }
  const bareSeconds = await bareBulk(await freshConfig(base, 'e2ebulk'), loads);
  const postsPerSecond = posts / seconds;
  const bareBulkPostsPerSecond = posts / bareSeconds;
  const limitPerSecond = Math.min(producerPerformancePerSecond, bareBulkPostsPerSecond);
  return {
    posts,
    postsPerSecond: Math.round(postsPerSecond),
    documents: loads.reduce((sum, load) => sum + load.documents.length, 0),
    bareBulkPostsPerSecond: Math.round(bareBulkPostsPerSecond),
    limitPerSecond: Math.round(limitPerSecond),
    limitIs: producerPerformancePerSecond <= bareBulkPostsPerSecond ? 'Kafka ProducerPerformance' : 'bare bulk loader of the same documents',
    ratio: Number((postsPerSecond / limitPerSecond).toFixed(3)),
  };
}

export interface LatencyBench {
  ratePerSecond: number;
  seconds: number;
  postsSent: number;
  probes: number;
  /** From handing a post to the Kafka producer to its volume metric being searchable in the index. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Latency at a steady `rate` posts/s with every stage running: one post in a hundred is a probe with a tag of
 * its own, and a probe's latency is the time from handing it to the producer to the first search that finds its
 * volume document in the metrics index (polled every 50 ms; the index refreshes every second).
 */
export async function benchLatency(base: TagpulseConfig, rate = 1_000, seconds = 30): Promise<LatencyBench> {
  const config = await freshConfig(base, 'latency');
  const topic = topicNames(config.kafka.topicPrefix).raw;
  const stop = new AbortController();
  const processing = runProcessors(config, { stages: ['normalise', 'metrics', 'sink'], signal: stop.signal, env, threads: true });
  processing.catch(() => undefined);
  const producer = createKafka(config.kafka, 'bench-latency').producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const store = await openStore(config);
  const sentAt = new Map<string, number>();
  const seenAfter = new Map<string, number>();
  let sent = 0;
  const envelope = (n: number, tags: string[]): RawEnvelope => {
    const now = new Date().toISOString();
    return {
      schema: 'tagpulse.raw/1',
      source: 'bench',
      platform: 'mastodon',
      platformId: `lat-${n}`,
      collectedAt: now,
      payload: { id: n },
      item: { text: `Бүгін серуен ${tags.map((t) => `#${t}`).join(' ')}`, createdAt: now, author: { id: `a${n % 500}` }, tags: [] },
    };
  };
  try {
    // Warm-up: every stage has started and stored a first post before the clock starts.
    await producer.send({ topic, acks: -1, messages: [{ key: 'mastodon:lat-warm', value: JSON.stringify({ ...envelope(-1, ['seruen']), platformId: 'lat-warm' }) }] });
    await waitFor('the pipeline to store its first post', async () => (await store.refresh(store.alias('posts')), (await store.count(store.alias('posts'))) > 0), {
      timeoutMs: 120_000,
      intervalMs: 200,
    });

    const poller = pollProbes(store, sentAt, seenAfter);
    const started = performance.now();
    let sending: Promise<unknown> = Promise.resolve();
    while (performance.now() - started < seconds * 1000) {
      const due = Math.floor(((performance.now() - started) / 1000) * rate);
      if (due > sent) {
        const messages = [];
        for (; sent < due; sent++) {
          const probe = sent % 100 === 0 ? `benchprobe${sent}` : undefined;
          const value = envelope(sent, probe ? [probe, 'seruen'] : ['seruen', 'qazaqkoktemi']);
          if (probe) sentAt.set(canonicalTag(probe), performance.now());
          messages.push({ key: rawKey(value), value: JSON.stringify(value) });
        }
        await sending;
        sending = producer.send({ topic, acks: -1, messages });
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await sending;
    await waitFor(`every probe to be searchable (${seenAfter.size} of ${sentAt.size})`, async () => seenAfter.size === sentAt.size, { timeoutMs: 60_000, intervalMs: 100 });
    poller.stop();
    const latencies = [...seenAfter.values()].sort((a, b) => a - b);
    return {
      ratePerSecond: rate,
      seconds,
      postsSent: sent,
      probes: latencies.length,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      maxMs: Math.round(latencies.at(-1)!),
    };
  } finally {
    stop.abort();
    await processing.catch(() => undefined);
    await producer.disconnect();
    await store.close();
  }
}

/** Polls the volume index for the probes not yet seen, recording when each first shows. */
function pollProbes(store: SearchStore, sentAt: ReadonlyMap<string, number>, seenAfter: Map<string, number>): { stop(): void } {
  let running = true;
  const index = store.alias('metrics-volume');
  void (async () => {
    while (running) {
      const waiting = [...sentAt.keys()].filter((tag) => !seenAfter.has(tag));
      if (waiting.length > 0) {
        const response = await store
          .search<{ tag: string }>(index, { query: { terms: { tag: waiting } }, _source: ['tag'], size: waiting.length * 4 })
          .catch(() => undefined);
        const now = performance.now();
        for (const hit of response?.hits.hits ?? []) if (!seenAfter.has(hit._source.tag)) seenAfter.set(hit._source.tag, now - sentAt.get(hit._source.tag)!);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    stop: () => {
      running = false;
    },
  };
}

export interface ProcessorsBench {
  posts: number;
  /**
   * Raw topic → normalise + metrics (volume, co-occurrence, abuse), exactly once, a thread each, timed by their
   * work (workSpan), on posts 67 s apart, as a backfill of history brings them: nearly every post has a window
   * of its own, so every post makes about ten new cells (the costliest shape for the metrics stage).
   */
  postsPerSecond: number;
  /** The limit: a bare kafkajs consumer → producer passthrough of the same raw topic (no transactions, no work). */
  passthroughPerSecond: number;
  ratio: number;
  /**
   * The same on posts made as a live stream at 10,000 posts/s makes them (10,000 in each second): the posts of
   * a window share its cells, so a batch publishes a cell once for many posts.
   */
  liveStreamPerSecond: number;
  liveStreamRatio: number;
  /** Each stage alone on the same input, for where the time goes. */
  normaliseAlonePerSecond: number;
  metricsAlonePerSecond: number;
}

/**
 * Copies the raw topic to a topic of its own with a bare kafkajs consumer and producer (read_committed, the
 * stages' fetch and request sizes, idempotent acks=all producer, offsets committed per batch, no transactions, no parsing):
 * what kafkajs itself can move consume → produce on this machine, the limit issue 5 sets the processors against.
 */
export async function benchPassthrough(config: TagpulseConfig, items: number): Promise<number> {
  const topics = topicNames(config.kafka.topicPrefix);
  const output = `${config.kafka.topicPrefix}.passthrough`;
  const kafka = createKafka(config.kafka, 'bench-passthrough');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: output, numPartitions: 3, replicationFactor: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = stageConsumer(kafka, `${config.kafka.topicPrefix}.passthrough`);
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.raw], fromBeginning: true });
  let copied = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  // Timed like the stages (workSpan): from the first batch, not from joining the group.
  let started: number | undefined;
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: 1,
    eachBatch: async ({ batch }) => {
      started ??= performance.now();
      // In requests the topic's max.message.bytes takes, as a stage sends them.
      const messages = batch.messages.map((m) => ({ key: m.key, value: m.value }));
      for (const topicMessages of produceRequests(new Map([[output, messages]]))) await producer.sendBatch({ acks: -1, topicMessages });
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() }]);
      copied += batch.messages.length;
      if (copied >= items) resolveDone();
    },
  });
  await done;
  const seconds = (performance.now() - started!) / 1000;
  await consumer.disconnect();
  await producer.disconnect();
  return Math.round(items / seconds);
}

/** Seconds of work (see workSpan) of `stages` run until idle, in a thread each when there are several. */
export async function workSeconds(config: TagpulseConfig, stages: [StageName, ...StageName[]]): Promise<number> {
  const span = workSpan(stages[0], stages.at(-1)!);
  await runProcessors(config, { stages, untilIdle: true, env, threads: true, onProgress: span.onProgress });
  return span.seconds();
}

/** Posts a second of the live-stream shape: issue 5's rate. */
const LIVE_RATE = 10_000;

/**
 * Issue 5's figure: normalise + metrics (volume, co-occurrence, abuse) on `items` raw posts, against the bare
 * passthrough of the same raw topic in the same run, on posts 67 s apart and again on posts of a live stream at
 * 10,000 posts/s. Each stage is also timed alone, on a second copy of the first input.
 */
export async function benchProcessors(base: TagpulseConfig, items = 50_000): Promise<ProcessorsBench> {
  const config = await freshConfig(base, 'proc');
  await fillRaw(config, items);
  const passthroughPerSecond = await benchPassthrough(config, items);
  const both = await workSeconds(config, ['normalise', 'metrics']);
  const live = await freshConfig(base, 'proclive');
  await fillRaw(live, items, postedPerSecond(LIVE_RATE));
  const liveBoth = await workSeconds(live, ['normalise', 'metrics']);
  const alone = await freshConfig(base, 'procalone');
  await fillRaw(alone, items);
  const normalise = await workSeconds(alone, ['normalise']);
  const metrics = await workSeconds(alone, ['metrics']);
  const postsPerSecond = items / both;
  const liveStreamPerSecond = items / liveBoth;
  return {
    posts: items,
    postsPerSecond: Math.round(postsPerSecond),
    passthroughPerSecond,
    ratio: Number((postsPerSecond / passthroughPerSecond).toFixed(3)),
    liveStreamPerSecond: Math.round(liveStreamPerSecond),
    liveStreamRatio: Number((liveStreamPerSecond / passthroughPerSecond).toFixed(3)),
    normaliseAlonePerSecond: Math.round(items / normalise),
    metricsAlonePerSecond: Math.round(items / metrics),
  };
}
