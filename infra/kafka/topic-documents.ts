import { readCommittedToEnd } from '../../ingest/framework/kafka.js';
import { readMetricBatch, type TagpulseConfig } from '../../schemas/index.js';

/**
 * The latest document (as JSON text) of every id on a topic of documents (posts, late data: one per keyed record)
 * or of metric batches (every line of every record): what the index holds once the sink has caught up. Each id
 * lives on one partition, which is read in order.
 */
export async function latestTopicDocuments(config: TagpulseConfig, topic: string, timeoutMs = 120_000): Promise<Map<string, string>> {
  const latest = new Map<string, string>();
  await readCommittedToEnd(
    config,
    topic,
    (message) => {
      if (message.value === null) return;
      const value = message.value.toString();
      if (message.key !== null) latest.set(message.key.toString(), value);
      else for (const { id, json } of readMetricBatch(value)) latest.set(id, json);
    },
    timeoutMs,
  );
  return latest;
}
