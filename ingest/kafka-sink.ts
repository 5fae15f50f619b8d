import { CompressionTypes, Partitioners, type Producer } from 'kafkajs';
import { rawKey, type DeadLetter, type RawEnvelope, type TagpulseConfig } from '../schemas/index.js';
import { createKafka } from '../infra/kafka/client.js';
import { topicNames } from '../infra/kafka/topics.js';
import type { EnvelopeSink } from './sink.js';

/**
 * The production sink: an idempotent kafkajs producer (acks=all, one in-flight batch per broker so retries
 * never reorder or duplicate) writing raw envelopes keyed `platform:platformId` and dead letters keyed by stage.
 */
export async function openKafkaSink(config: TagpulseConfig): Promise<EnvelopeSink & { close(): Promise<void> }> {
  const topics = topicNames(config.kafka.topicPrefix);
  const producer: Producer = createKafka(config.kafka, 'ingest').producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return {
    async send(envelopes: readonly RawEnvelope[]) {
      if (envelopes.length === 0) return;
      await producer.send({
        topic: topics.raw,
        acks: -1,
        compression: CompressionTypes.None,
        messages: envelopes.map((envelope) => ({ key: rawKey(envelope), value: JSON.stringify(envelope) })),
      });
    },
    async deadLetter(letters: readonly DeadLetter[]) {
      if (letters.length === 0) return;
      await producer.send({
        topic: topics.deadLetter,
        acks: -1,
        messages: letters.map((letter) => ({ key: letter.stage, value: JSON.stringify(letter) })),
      });
    },
    close: () => producer.disconnect(),
  };
}
