import { type Consumer, type EachBatchPayload, type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import { pushTo } from './multimap.js';
import { packBySize } from './pack.js';
import { FastDefaultPartitioner } from '../../infra/kafka/partitioner.js';
import { addCounts, type StageProgress } from './progress.js';
import type { Emit, StreamProcessor } from './processor.js';
import { stageConsumer, StageFailure } from './stage-consumer.js';

/**
 * A transaction that stays open this long (a stuck or dead process) is aborted by the broker. Generous,
 * because a batch on a starved machine can take tens of seconds; a crashed stage's open transaction is
 * aborted at once anyway, when its restart registers the same transactional id.
 */
const TRANSACTION_TIMEOUT_MS = 60_000;

/**
 * The most bytes of keys and values one produce request carries. kafkajs writes all of a request's messages
 * for one partition as one record batch, and the broker refuses a record batch over the topic's
 * `max.message.bytes` (1 MiB on the metric and changelog topics): a large input batch republishes thousands of
 * cells, which as one request would be refused on every retry and stall the stage for good.
 */
const MAX_REQUEST_BYTES = 512 * 1024;

/** Per-record overhead in a record batch (lengths, offset and timestamp deltas, attributes), rounded up. */
const RECORD_OVERHEAD_BYTES = 32;

/**
 * Records processed between two yields to the event loop: while one batch is processed, the previous batch's
 * transaction (several round trips to the broker) goes on, instead of waiting for the whole batch; and the
 * consumer heartbeats, so a large batch on a starved machine never gets the stage dropped from its group.
 */
const RECORDS_PER_SLICE = 256;

/** Input partitions whose batches are in hand at once: processed one after the other, committed one after the other. */
const BATCHES_IN_FLIGHT = 3;

const sizeOf = (message: Message): number =>
  RECORD_OVERHEAD_BYTES + (message.key ? Buffer.byteLength(message.key) : 0) + (message.value ? Buffer.byteLength(message.value) : 0);

/**
 * Splits a transaction's outputs into produce requests of at most `maxBytes` each (a single larger message goes
 * alone), keeping every topic's messages in their order, so each key's records stay in the order they were emitted.
 */
export function produceRequests(outputs: ReadonlyMap<string, readonly Message[]>, maxBytes = MAX_REQUEST_BYTES): TopicMessages[][] {
  const all = [...outputs].flatMap(([topic, messages]) => messages.map((message) => ({ topic, message })));
  return packBySize(all, ({ message }) => sizeOf(message), maxBytes).map((pack) => {
    const request = new Map<string, Message[]>();
    for (const { topic, message } of pack) pushTo(request, topic, message);
    return [...request].map(([topic, messages]) => ({ topic, messages }));
  });
}

/**
 * Runs one stream processor exactly once: consume → transform → produce inside Kafka transactions.
 *
 * For every batch (the records of one input partition), one transaction carries the processor's outputs, the
 * changelog records of every state change the batch made, and the input offsets after the batch
 * (`sendOffsets`, so they commit to the consumer group only if the transaction commits); then the transaction
 * commits. Readers are read_committed, so a batch's effects become visible all together or never. Batches of
 * several partitions are in hand at once so that one is processed while the transaction of the one before is
 * under way; but they are processed strictly one after another (a batch's changelog holds its own changes
 * only), and their transactions commit in that same order, each only after the one before committed. On any
 * failure the transaction is aborted and the stage fails, with no later transaction committing; the runner then
 * throws this instance away and starts again from what was committed: consumer offsets and, restored from the
 * changelog, the state that belongs to them. A process killed mid-batch leaves an open transaction that the next
 * start aborts.
 *
 * One transactional id per stage (per topic prefix): that is right while one process runs all partitions of
 * a stage, which the windows need (a window gathers posts from every partition). The broker fences the older of
 * two producers with the same id, so a second process running the same stage makes the first fail with a fenced
 * error instead of double counting; and a restarted process fences whatever its crashed predecessor left open,
 * which is what makes SIGKILL safe. Scaling out would need state partitioned by window key (a repartition topic)
 * and one transactional id per instance.
 */
export class TransactionalStage {
  readonly failure = new StageFailure();
  readonly #producer: Producer;
  readonly #consumer: Consumer;
  /** Settles once the batch being processed is done and its transaction queued: the next batch waits for it. */
  #processing: Promise<unknown> = Promise.resolve();
  /** Settles once the last transaction queued has ended; after a failure, no later one starts (see #commit). */
  #lastTransaction: Promise<unknown> = Promise.resolve();

  constructor(
    kafka: Kafka,
    private readonly processor: StreamProcessor,
    private readonly wiring: { input: string; groupId: string; transactionalId: string; changelogTopic: string },
    private readonly progress: StageProgress,
  ) {
    this.#producer = kafka.producer({
      transactionalId: wiring.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: TRANSACTION_TIMEOUT_MS,
      createPartitioner: FastDefaultPartitioner,
      // The coordinator answers CONCURRENT_TRANSACTIONS while it still completes the previous transaction of this
      // id (our own last commit, or the open transaction of a killed predecessor it is aborting); it takes
      // milliseconds, so retry soon, as the Java client does, rather than after the client-wide 200 ms. Ten
      // doublings keep the same patience (about 50 s) for a broker that is really gone.
      retry: { initialRetryTime: 25, retries: 10 },
    });
    this.#consumer = stageConsumer(kafka, wiring.groupId);
    this.failure.watch(this.#consumer);
    progress.follow(this.#consumer);
  }

  /**
   * Registers the transactional id with the broker, which bumps its epoch: any transaction a previous
   * incarnation left open is aborted, and that incarnation, if it still lives, is fenced off. Must happen before
   * the changelog is restored and before the consumer reads its committed offsets, or those could still change.
   */
  async fence(): Promise<void> {
    await this.#producer.connect();
    await (await this.#producer.transaction()).abort();
  }

  /** Starts consuming from the committed offsets (fence and restore first). */
  async start(): Promise<void> {
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topics: [this.wiring.input], fromBeginning: true });
    await this.#consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: BATCHES_IN_FLIGHT,
      eachBatch: (payload) => this.#batch(payload),
    });
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
    await this.#producer.disconnect();
  }

  async #batch({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    this.progress.begin();
    try {
      const queued = this.#processing.then(async () => {
        const { outputs, counts } = await this.#process(batch, heartbeat);
        // Queued before the next batch is processed: transactions follow the order their batches were processed in.
        const committed = this.#lastTransaction.then(() => this.#commit(batch.topic, batch.partition, batch.lastOffset(), outputs));
        this.#lastTransaction = committed.catch(() => undefined);
        return { committed, counts };
      });
      this.#processing = queued.catch(() => undefined);
      const { committed, counts } = await queued;
      await committed;
      addCounts(this.progress.totals, counts);
    } catch (error) {
      this.failure.fail(error);
      throw error;
    } finally {
      this.progress.end();
    }
    await heartbeat();
  }

  /** Feeds one batch to the processor, a slice at a time, and collects its outputs and changelog records. */
  async #process(batch: EachBatchPayload['batch'], heartbeat: () => Promise<void>): Promise<{ outputs: Map<string, Message[]>; counts: Record<string, number> }> {
    // After a failure the state is ahead of what committed: nothing more may be processed with it.
    if (this.failure.failed) throw this.failure.error;
    const outputs = new Map<string, Message[]>();
    const emit: Emit = (record) =>
      pushTo(outputs, record.topic, record.key === null ? { value: record.value, partition: record.partition } : { key: record.key, value: record.value });
    const { topic, partition, messages } = batch;
    for (let i = 0; i < messages.length; i++) {
      if (i > 0 && i % RECORDS_PER_SLICE === 0) {
        await new Promise((resolve) => setImmediate(resolve));
        // Best effort: a heartbeat refused because the group is rebalancing is kafkajs' to handle, when the batch
        // ends (the heartbeat after it); the batch's transaction does not depend on it.
        await heartbeat().catch(() => undefined);
      }
      const message = messages[i]!;
      this.processor.process({ topic, partition, offset: message.offset, key: message.key, value: message.value }, emit);
    }
    this.processor.endBatch(emit);
    for (const store of this.processor.stores) {
      for (const record of store.takeChangelog()) pushTo(outputs, this.wiring.changelogTopic, record);
    }
    return { outputs, counts: this.processor.takeCounts() };
  }

  /** One transaction: a batch's outputs and changelog records, and its input offsets. */
  async #commit(topic: string, partition: number, lastOffset: string, outputs: ReadonlyMap<string, readonly Message[]>): Promise<void> {
    // A batch processed after one whose transaction failed was processed from state that never committed.
    if (this.failure.failed) throw this.failure.error;
    // The offset after the batch's last record, transaction markers included, so a restart never re-reads them.
    const next = (BigInt(lastOffset) + 1n).toString();
    const transaction = await this.#producer.transaction();
    try {
      // One request at a time: a transaction takes no concurrent operations, and the order of a key's records must hold.
      for (const topicMessages of produceRequests(outputs)) await transaction.sendBatch({ acks: -1, topicMessages });
      await transaction.sendOffsets({ consumerGroupId: this.wiring.groupId, topics: [{ topic, partitions: [{ partition, offset: next }] }] });
      await transaction.commit();
    } catch (error) {
      // Marked before this transaction ends, which the next one waits for: that one sees the failure and never starts.
      this.failure.fail(error);
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }
}
