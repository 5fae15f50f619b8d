import type { TagpulseConfig } from '../schemas/index.js';
import { connectAdmin, createKafka } from './kafka/client.js';
import { ensureTopics } from './kafka/topics.js';
import type { BootstrapChange } from './store/bootstrap.js';
import { ensureIndices } from './store/bootstrap.js';
import { ALL_INDICES } from './store/indices.js';
import { openStore } from './store/open.js';

/**
 * `tagpulse init`: every Kafka topic and every index template, index and alias, created or brought up to date.
 * Idempotent: a second run reports every target `unchanged`.
 */
export async function initialise(config: TagpulseConfig): Promise<BootstrapChange[]> {
  const admin = await connectAdmin(config.kafka, createKafka(config.kafka, 'init'));
  let changes: BootstrapChange[];
  try {
    changes = await ensureTopics(admin, config.kafka.topicPrefix);
  } finally {
    await admin.disconnect();
  }
  const store = await openStore(config);
  try {
    changes.push(...(await ensureIndices(store, ALL_INDICES)));
  } finally {
    await store.close();
  }
  return changes;
}
