import { CompressionTypes, type Message, type Producer } from 'kafkajs';
import { rawKey, type DeadLetter, type RawEnvelope, type TagpulseConfig } from '../schemas/index.js';
import { createKafka } from '../infra/kafka/client.js';
import { FastDefaultPartitioner } from '../infra/kafka/partitioner.js';
import { kafkaRetryDeadlineMs, retryTransient } from '../infra/kafka/retry.js';
import { topicMaxMessageBytes, topicNames } from '../infra/kafka/topics.js';
import { createLogger } from '../infra/log.js';
import type { EnvelopeSink, SendResult } from './sink.js';
import { bySize, envelopeLetter, fitDeadLetter, maxValueBytes, serialise } from './wire.js';

const log = createLogger('ingest.kafka');

export interface KafkaSinkOptions {
  /** How long a send keeps retrying through connection loss (a broker restart); `TAGPULSE_KAFKA_RETRY_DEADLINE_MS`, 2 minutes by default. */
  retryDeadlineMs?: number;
  /** The clock of the sink's own dead letters. */
  now?: () => Date;
}

/**
 * The production sink: an idempotent kafkajs producer (acks=all, one in-flight batch per broker so retries
 * never reorder or duplicate) writing raw envelopes keyed `platform:platformId` and dead letters keyed by stage.
 *
 * Each envelope is serialised on its own: one that cannot be (nested too deep for JSON.stringify) or that is over
 * the raw topic's `max.message.bytes` is never sent; it goes to the dead-letter topic (`too-deep`,
 * `unserialisable`, `too-large`) and the rest of the batch goes on. Sends are split so that no request carries
 * more than the topic takes. A send that fails on connection loss or a timeout is retried, by the same producer
 * (same producer id and sequence numbers, so the broker drops a batch it already has: nothing lost, nothing
 * doubled), until the retry deadline.
 */
export async function openKafkaSink(config: TagpulseConfig, options: KafkaSinkOptions = {}): Promise<EnvelopeSink & { close(): Promise<void> }> {
  const topics = topicNames(config.kafka.topicPrefix);
  const rawMax = maxValueBytes(topicMaxMessageBytes('posts.raw'));
  const letterMax = maxValueBytes(topicMaxMessageBytes('deadletter'));
  const deadlineMs = options.retryDeadlineMs ?? kafkaRetryDeadlineMs();
  const now = options.now ?? (() => new Date());
  const producer: Producer = createKafka(config.kafka, 'ingest').producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // kafkajs' DefaultPartitioner's placement, computed without its emulated 64-bit arithmetic.
    createPartitioner: FastDefaultPartitioner,
  });
  await retryTransient(() => producer.connect(), deadlineMs);

  const produce = async (topic: string, messages: Message[], maxBytes: number, compression?: CompressionTypes) => {
    for (const group of bySize(messages, maxBytes)) {
      await retryTransient(
        () => producer.send({ topic, acks: -1, ...(compression === undefined ? {} : { compression }), messages: group }),
        deadlineMs,
        (error, waitedMs) => log.warn('send failed; retrying', { topic, messages: group.length, waitedMs, error: (error as Error).message }),
      );
    }
  };
  const sendLetters = (letters: readonly DeadLetter[]) =>
    produce(
      topics.deadLetter,
      letters.map((letter) => ({ key: letter.stage, value: fitDeadLetter(letter, letterMax) })),
      letterMax,
    );

  return {
    async send(envelopes: readonly RawEnvelope[]): Promise<SendResult> {
      const messages: Message[] = [];
      const letters: DeadLetter[] = [];
      for (const envelope of envelopes) {
        const serialised = serialise(envelope, rawMax);
        if ('value' in serialised) messages.push({ key: rawKey(envelope), value: serialised.value });
        else letters.push(envelopeLetter(envelope, envelope.source, now().toISOString(), serialised.reason, serialised.detail));
      }
      if (messages.length > 0) await produce(topics.raw, messages, rawMax, CompressionTypes.None);
      if (letters.length > 0) await sendLetters(letters);
      const rejected: Record<string, number> = {};
      for (const letter of letters) rejected[letter.reason] = (rejected[letter.reason] ?? 0) + 1;
      return { sent: messages.length, rejected };
    },
    async deadLetter(letters: readonly DeadLetter[]) {
      if (letters.length > 0) await sendLetters(letters);
    },
    close: () => producer.disconnect(),
  };
}
