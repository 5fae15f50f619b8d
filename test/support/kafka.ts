import { randomBytes } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { createKafka } from '../../infra/kafka/client.js';
import { waitFor } from '../../infra/wait.js';
import type { TagpulseConfig } from '../../schemas/index.js';

/**
 * Reads a topic from the beginning with a fresh consumer group until `count` messages arrived
 * (or fails at the deadline), read_committed so aborted transactions never show.
 */
export async function readTopic(config: TagpulseConfig, topic: string, count: number, timeoutMs = 60_000): Promise<KafkaMessage[]> {
  const consumer = createKafka(config.kafka, 'test-reader').consumer({
    groupId: `test-reader-${randomBytes(4).toString('hex')}`,
    readUncommitted: false,
  });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        messages.push(message);
      },
    });
    await waitFor(`${count} messages on ${topic} (have ${messages.length})`, async () => messages.length >= count, { timeoutMs });
    return messages;
  } finally {
    await consumer.disconnect();
  }
}
