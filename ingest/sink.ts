import type { DeadLetter, RawEnvelope } from '../schemas/index.js';

/** What a sink did with a batch, when it did not send all of it: the rest went to the dead-letter topic. */
export interface SendResult {
  /** Envelopes on the raw topic. */
  sent: number;
  /** Envelopes dead-lettered instead, by reason (`too-large`, `too-deep`, `unserialisable`). */
  rejected: Record<string, number>;
}

/**
 * Where collectors and importers put what they read. The production sink is Kafka
 * (ingest/kafka-sink.ts: raw envelopes to `<prefix>.posts.raw` keyed `platform:platformId`,
 * dead letters to `<prefix>.deadletter`); `send` resolves only when the broker has acknowledged.
 * A sink may refuse single envelopes (too large for the topic, impossible to serialise): it dead-letters them
 * and says so in its result; a sink that answers nothing sent them all.
 */
export interface EnvelopeSink {
  send(envelopes: readonly RawEnvelope[]): Promise<SendResult | void>;
  deadLetter(letters: readonly DeadLetter[]): Promise<void>;
}
