import { setTimeout as delay } from 'node:timers/promises';
import { type Consumer, type EachBatchPayload, type Kafka, type Producer } from 'kafkajs';
import { createLogger } from '../../infra/log.js';
import { FastDefaultPartitioner } from '../../infra/kafka/partitioner.js';
import type { IndexOperation, SearchStore } from '../../infra/store/search-store.js';
import { readMetricBatch, type DeadLetter } from '../../schemas/index.js';
import { addCounts, type StageProgress } from '../runtime/progress.js';
import { stageConsumer, StageFailure } from '../runtime/stage-consumer.js';

const log = createLogger('process.sink');

/** Which index the documents of a topic go to. */
export interface SinkRoute {
  topic: string;
  /** The logical index (`posts`, `metrics-volume`, …); documents are written through its alias. */
  index: string;
}

const STAGE = 'sink';
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;

/**
 * Batches (of different partitions) stored at once: while the engine indexes one bulk request, the next is on its
 * way, as a bulk loader keeps two in flight. An id lives on one partition, whose batches never overlap, so the
 * versions of its documents still arrive in order.
 */
const BULKS_IN_FLIGHT = 2;

/** Statuses worth retrying: the engine is overloaded or failing, not refusing the document. */
const retryable = (status: number) => status === 429 || status >= 500;

/**
 * Topics → search engine: normalised posts into the posts index, metric documents into the metric indices.
 *
 * Exactly-once in effect, from at-least-once delivery and idempotent writes: every document is indexed under its
 * id (a post's Kafka key, a metric cell's id in its metric batch) with external version = its record's offset + 1,
 * and one id always lives on one partition, so a newer document of an id always carries the higher version. A replay, a retry or a
 * batch re-read after a crash writes versions the engine already has, and loses (a version conflict, counted
 * as stale, is success). Offsets are committed only after the whole batch is stored. While the engine is
 * unreachable or overloaded the sink backs off and retries, heartbeating so it keeps its partitions; it never
 * skips a batch. A document the engine refuses outright (a mapping error) goes to the dead-letter topic.
 */
export class SearchSink {
  readonly failure = new StageFailure();
  readonly #consumer: Consumer;
  readonly #deadLetters: Producer;
  readonly #indexOf: ReadonlyMap<string, string>;
  #stopping = false;

  constructor(
    kafka: Kafka,
    private readonly store: SearchStore,
    private readonly options: { groupId: string; routes: readonly SinkRoute[]; deadLetterTopic: string },
    private readonly progress: StageProgress,
  ) {
    this.#indexOf = new Map(options.routes.map((route) => [route.topic, store.alias(route.index)]));
    this.#consumer = stageConsumer(kafka, options.groupId);
    this.#deadLetters = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: FastDefaultPartitioner });
    this.failure.watch(this.#consumer);
    progress.follow(this.#consumer);
  }

  async start(): Promise<void> {
    await this.#deadLetters.connect();
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topics: [...this.#indexOf.keys()], fromBeginning: true });
    await this.#consumer.run({ autoCommit: false, partitionsConsumedConcurrently: BULKS_IN_FLIGHT, eachBatch: (payload) => this.#batch(payload) });
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#consumer.disconnect();
    await this.#deadLetters.disconnect();
  }

  async #batch({ batch, heartbeat, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    this.progress.begin();
    try {
      const index = this.#indexOf.get(batch.topic)!;
      const operations: IndexOperation[] = [];
      const unreadable: DeadLetter[] = [];
      for (const message of batch.messages) {
        // A tombstone (none are written) deletes nothing.
        if (message.value === null) continue;
        const version = Number(message.offset) + 1;
        const value = message.value.toString();
        // The values are already the documents' JSON: both engine clients pass a string through to the bulk body.
        // A keyed record is one document under its key (posts, late data, and metric documents written before
        // metric batches); an unkeyed one is a metric batch.
        if (message.key !== null) {
          operations.push({ index, id: message.key.toString(), document: value, version });
          continue;
        }
        try {
          for (const { id, json } of readMetricBatch(value)) operations.push({ index, id, document: json, version });
        } catch (error) {
          unreadable.push(this.#letter('metric-batch', (error as Error).message, { topic: batch.topic, partition: batch.partition, offset: message.offset }, value));
        }
      }
      await this.#sendDeadLetters(unreadable);
      const counts = await this.#write(operations, heartbeat);
      counts.deadLetters += unreadable.length;
      await commitOffsetsIfNecessary({
        topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() }] }],
      });
      addCounts(this.progress.totals, counts);
    } finally {
      this.progress.end();
    }
    await heartbeat();
  }

  /** Indexes every operation, retrying what the engine could not take now, until each one is stored or refused. */
  async #write(operations: IndexOperation[], heartbeat: () => Promise<void>): Promise<Record<string, number>> {
    const counts = { indexed: 0, stale: 0, deadLetters: 0 };
    let pending = operations;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) {
        if (this.#stopping) throw new Error('the sink is stopping with documents not yet stored; they are re-read on the next start');
        await delay(Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1)));
        await heartbeat();
      }
      let result;
      try {
        result = await this.store.bulk(pending);
      } catch (error) {
        log.warn('the search engine did not take a bulk request; retrying', { documents: pending.length, attempt, error });
        continue;
      }
      const retry: IndexOperation[] = [];
      const refused: DeadLetter[] = [];
      const failed = new Set(result.failed);
      result.items.forEach((item, i) => {
        const operation = pending[i]!;
        if (item.status < 300) counts.indexed++;
        // Not successful and not failed: a stale version, which lost to a newer one already stored.
        else if (!failed.has(item)) counts.stale++;
        else if (retryable(item.status)) retry.push(operation);
        else refused.push(this.#refusal(operation, item.status, item.error));
      });
      await this.#sendDeadLetters(refused);
      counts.deadLetters += refused.length;
      if (retry.length > 0) log.warn('the search engine deferred documents; retrying', { documents: retry.length, attempt });
      pending = retry;
    }
    return counts;
  }

  async #sendDeadLetters(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.#deadLetters.send({
      topic: this.options.deadLetterTopic,
      acks: -1,
      messages: letters.map((letter) => ({ key: STAGE, value: JSON.stringify(letter) })),
    });
  }

  #refusal(operation: IndexOperation, status: number, error: { type: string; reason: string } | undefined): DeadLetter {
    const origin = { index: operation.index, id: operation.id, version: operation.version! };
    return this.#letter('index', `${status} ${error?.type ?? ''}: ${error?.reason ?? ''}`, origin, operation.document);
  }

  #letter(reason: string, detail: string, origin: DeadLetter['origin'], raw: unknown): DeadLetter {
    return { schema: 'tagpulse.deadletter/1', stage: STAGE, reason, detail, at: new Date().toISOString(), origin, raw, rawEncoding: 'utf8' };
  }
}
