import { randomBytes } from 'node:crypto';
import { type KafkaMessage, type Message, type Producer } from 'kafkajs';
import { CollectorCursor, rawKey, type DeadLetter, type RawEnvelope, type TagpulseConfig } from '../../schemas/index.js';
import { createKafka } from '../../infra/kafka/client.js';
import { FastDefaultPartitioner } from '../../infra/kafka/partitioner.js';
import { kafkaRetryDeadlineMs, isTransientKafkaError, retryTransient } from '../../infra/kafka/retry.js';
import { topicMaxMessageBytes, topicNames } from '../../infra/kafka/topics.js';
import { createLogger } from '../../infra/log.js';
import { bySize, envelopeLetter, fitDeadLetter, maxValueBytes, serialise } from '../wire.js';
import { tryParseJson } from './json.js';

const log = createLogger('collect.kafka');

/** The key of a cursor on the compacted cursors topic: compaction keeps the latest cursor of each source and query. */
export function cursorKey(source: string, query: string): string {
  return `${source}:${query}`;
}

/**
 * Reads every committed message of a topic, from the beginning to the end it has now, then stops. The end is
 * the last stable offset (read_committed: aborted transactions never show, and a transaction whose commit
 * markers are still on their way is not there yet: see openPageWriter). Kafka has no "read to end" call, so
 * the end offsets are fetched first and the consumer runs until every partition's position passed them,
 * counting transaction markers (never delivered as messages) through the batch-end events.
 */
export async function readCommittedToEnd(config: TagpulseConfig, topic: string, onMessage: (message: KafkaMessage) => void, timeoutMs = 60_000): Promise<void> {
  const kafka = createKafka(config.kafka, 'collector-restore');
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `${config.kafka.clientId}-restore-${randomBytes(6).toString('hex')}`;
  try {
    const ends = new Map(
      (await admin.fetchTopicOffsets(topic)).filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]),
    );
    if (ends.size === 0) return;
    const consumer = kafka.consumer({ groupId, readUncommitted: false });
    const positions = new Map<number, bigint>();
    let finished!: () => void;
    const allRead = new Promise<void>((resolve) => (finished = resolve));
    const advance = (partition: number, offset: string) => {
      positions.set(partition, BigInt(offset) + 1n);
      if ([...ends].every(([p, end]) => (positions.get(p) ?? 0n) >= end)) finished();
    };
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.topic === topic && payload.lastOffset !== null) advance(payload.partition, payload.lastOffset);
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          onMessage(message);
          advance(partition, message.offset);
        },
      });
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`reading ${topic} to its end took longer than ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([allRead, timedOut]);
      } finally {
        clearTimeout(timer);
      }
    } finally {
      await consumer.disconnect();
    }
  } finally {
    // The group only served this one read; leaving it behind would clutter the broker's group list.
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

/** Every stored cursor, by `source:query`, as the compacted topic holds them now. */
export async function restoreCursors(config: TagpulseConfig): Promise<Map<string, CollectorCursor>> {
  const cursors = new Map<string, CollectorCursor>();
  await readCommittedToEnd(config, topicNames(config.kafka.topicPrefix).cursors, (message) => {
    const key = message.key?.toString();
    if (!key) return;
    if (message.value === null) {
      cursors.delete(key); // a tombstone: the cursor was reset on purpose
      return;
    }
    const parsed = CollectorCursor.safeParse(tryParseJson(message.value.toString()));
    if (parsed.success) cursors.set(key, parsed.data);
    else log.warn('ignoring an unreadable cursor; its query starts afresh', { key, offset: message.offset });
  });
  return cursors;
}

export interface CommittedPage {
  envelopes: readonly RawEnvelope[];
  rejected: readonly DeadLetter[];
  /** The query's cursor, and the source's state when it changed. */
  cursors: readonly CollectorCursor[];
}

export interface PageWriter {
  /**
   * Writes the page's envelopes, dead letters and cursors in one transaction: all of them become visible, or none.
   * Envelopes that cannot go to the raw topic (too large, too deep to serialise) go to the dead-letter topic in
   * the same transaction instead; the result counts them.
   */
  commit(page: CommittedPage): Promise<{ sent: number; rejected: number }>;
  close(): Promise<void>;
}

export interface PageWriterOptions {
  /** How long a page keeps being retried through connection loss (a broker restart); `TAGPULSE_KAFKA_RETRY_DEADLINE_MS`, 2 minutes by default. */
  retryDeadlineMs?: number;
}

/**
 * A transactional producer for one source. Its transactional id is fixed per source (and topic prefix), so a
 * restarted collector fences off a zombie of the same source and aborts whatever transaction it left open.
 * Idempotent with one request in flight, as transactions require. The id is initialised here, not at the first
 * page: initialisation also waits until the previous instance's last transaction is complete (its commit
 * markers written), so cursors read after opening the writer include that transaction's cursor.
 *
 * Each message is serialised on its own: an envelope that cannot be, or is over the raw topic's
 * `max.message.bytes`, becomes a dead letter (`too-deep`, `unserialisable`, `too-large`; its raw copy truncated
 * to fit the dead-letter topic) in the same transaction, so one hostile item never loses the page.
 *
 * When a page fails on connection loss or a timeout (a broker restart), the producer is thrown away and a new
 * one with the same transactional id is initialised, which aborts the unfinished transaction on the broker; the
 * whole page is then written again in a new transaction, until the retry deadline. Readers of the topics read
 * committed only, so an aborted attempt never shows. One case stays ambiguous: the broker committed but its
 * answer was lost in the restart; the page is then written twice (the same posts twice on the raw topic, which
 * a collector's overlapping polls produce anyway and the processors key by post id). Past the deadline the page
 * fails; its cursor was not committed, so the next run fetches it again.
 */
export async function openPageWriter(config: TagpulseConfig, sourceName: string, options: PageWriterOptions = {}): Promise<PageWriter> {
  const topics = topicNames(config.kafka.topicPrefix);
  const rawMax = maxValueBytes(topicMaxMessageBytes('posts.raw'));
  const letterMax = maxValueBytes(topicMaxMessageBytes('deadletter'));
  const deadlineMs = options.retryDeadlineMs ?? kafkaRetryDeadlineMs();
  const open = async (): Promise<Producer> => {
    const producer = createKafka(config.kafka, `collector-${sourceName}`).producer({
      transactionalId: `${config.kafka.clientId}.${config.kafka.topicPrefix}.collector.${sourceName}`,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: FastDefaultPartitioner,
    });
    await producer.connect();
    try {
      await (await producer.transaction()).abort(); // kafkajs initialises a transactional id on its first transaction
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    return producer;
  };
  let producer: Producer | undefined = await retryTransient(open, deadlineMs);

  return {
    async commit({ envelopes, rejected, cursors }) {
      const raw: Message[] = [];
      const letters: DeadLetter[] = [...rejected];
      const at = new Date().toISOString();
      for (const envelope of envelopes) {
        const serialised = serialise(envelope, rawMax);
        if ('value' in serialised) raw.push({ key: rawKey(envelope), value: serialised.value });
        else {
          log.warn('envelope dead-lettered', { source: sourceName, platformId: envelope.platformId, reason: serialised.reason });
          letters.push(envelopeLetter(envelope, envelope.source, at, serialised.reason, serialised.detail));
        }
      }
      const topicMessages = [
        { topic: topics.raw, messages: raw },
        { topic: topics.deadLetter, messages: letters.map((l) => ({ key: l.stage, value: fitDeadLetter(l, letterMax) })) },
        { topic: topics.cursors, messages: cursors.map((c) => ({ key: cursorKey(c.source, c.query), value: JSON.stringify(c) })) },
      ];
      // A transaction may span several produce requests: each stays within the topics' limits.
      const budget = Math.min(rawMax, letterMax);
      const requests: Array<Array<{ topic: string; messages: Message[] }>> = [];
      for (const { topic, messages } of topicMessages) for (const group of bySize(messages, budget)) requests.push([{ topic, messages: group }]);
      if (requests.length === 0) return { sent: 0, rejected: 0 };
      await retryTransient(
        () => attempt(requests),
        deadlineMs,
        (error, waitedMs) => log.warn('page write failed; retrying with a new producer', { source: sourceName, waitedMs, error: (error as Error).message }),
      );
      return { sent: raw.length, rejected: letters.length - rejected.length };
    },
    close: async () => {
      await producer?.disconnect();
    },
  };

  /** One transaction over one or more produce requests (a page bigger than one request may carry takes several). */
  async function attempt(requests: Array<Array<{ topic: string; messages: Message[] }>>) {
    producer ??= await open();
    const transaction = await producer.transaction();
    try {
      for (const request of requests) await transaction.sendBatch({ acks: -1, topicMessages: request });
      await transaction.commit();
    } catch (error) {
      if (isTransientKafkaError(error)) {
        const broken = producer;
        producer = undefined;
        await broken.disconnect().catch(() => undefined);
      } else {
        await transaction.abort().catch((abortError: unknown) => log.warn('abort failed', { source: sourceName, error: abortError }));
      }
      throw error;
    }
  }
}
