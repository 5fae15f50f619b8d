import { createKafka } from '../infra/kafka/client.js';
import { openStore } from '../infra/store/open.js';
import type { TagpulseConfig } from '../schemas/index.js';

/**
 * Deletes every topic, index and index template whose name starts with the bench run's prefix (each benchmark's
 * own prefix extends it), so runs on a developer's stack do not pile up shards and topics.
 */
export async function dropBenchData(config: TagpulseConfig): Promise<void> {
  const prefix = config.search.indexPrefix;
  const store = await openStore(config);
  try {
    await store.transport.request('DELETE', `/${prefix}*`, { query: { expand_wildcards: 'all', allow_no_indices: true } });
    const templates = await store.transport
      .request<{ index_templates: Array<{ name: string }> }>('GET', `/_index_template/${prefix}*`)
      .catch(() => ({ index_templates: [] }));
    for (const { name } of templates.index_templates) await store.transport.request('DELETE', `/_index_template/${name}`);
  } finally {
    await store.close();
  }
  const admin = createKafka(config.kafka, 'bench-cleanup').admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(config.kafka.topicPrefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}
