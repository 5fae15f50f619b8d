import type { DeadLetter, RawEnvelope } from '../schemas/index.js';

/**
 * Where collectors and importers put what they read. The production sink is Kafka
 * (ingest/kafka-sink.ts: raw envelopes to `<prefix>.posts.raw` keyed `platform:platformId`,
 * dead letters to `<prefix>.deadletter`); `send` resolves only when the broker has acknowledged.
 */
export interface EnvelopeSink {
  send(envelopes: readonly RawEnvelope[]): Promise<void>;
  deadLetter(letters: readonly DeadLetter[]): Promise<void>;
}
