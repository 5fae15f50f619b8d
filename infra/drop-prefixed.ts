import { createKafka } from './kafka/client.js';
import { openStore } from './store/open.js';
import type { TagpulseConfig } from '../schemas/index.js';

/**
 * Deletes every topic, index and index template whose name starts with the config's prefixes: what a test file
 * or a benchmark made under a prefix of its own (a benchmark's stages extend the run's prefix). A reused stack (a
 * developer's, or the one `npm start` left running) would otherwise collect shards until the engine refuses new
 * indices.
 */
export async function dropPrefixed(config: TagpulseConfig, clientId: string): Promise<void> {
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
  const admin = createKafka(config.kafka, clientId).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(config.kafka.topicPrefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}
