import { randomBytes } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import { TagpulseConfig } from '../../schemas/index.js';
import { initialise } from '../../infra/init.js';
import { createKafka } from '../../infra/kafka/client.js';
import { openStore } from '../../infra/store/open.js';

/**
 * Deletes what an isolated config created: its indices, templates and topics. A reused stack (a developer's,
 * or the one `npm start` left running) would otherwise collect shards until the engine refuses new indices.
 */
async function dropIsolated(config: TagpulseConfig): Promise<void> {
  const store = await openStore(config);
  try {
    const pattern = `${config.search.indexPrefix}-*`;
    await store.transport.request('DELETE', `/${pattern}`, { query: { expand_wildcards: 'all', allow_no_indices: true } });
    const templates = await store.transport.request<{ index_templates: Array<{ name: string }> }>('GET', `/_index_template/${pattern}`).catch(() => ({ index_templates: [] }));
    for (const { name } of templates.index_templates) await store.transport.request('DELETE', `/_index_template/${name}`);
  } finally {
    await store.close();
  }
  const admin = createKafka(config.kafka, 'test-cleanup').admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(`${config.kafka.topicPrefix}.`));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

/** Every isolated config this test file made; vitest gives each file its own instance of this module. */
const madeInThisFile: TagpulseConfig[] = [];

// Registered while the file is collected, so it runs after the file's tests whether the configs were made in
// tests or in hooks.
afterAll(async () => {
  for (const config of madeInThisFile.splice(0)) await dropIsolated(config);
});

/**
 * A config pointing at the run's real stack, with topic and index prefixes of its own, so test files
 * never see each other's data (and never a developer's `tagpulse` data on a reused stack). Its indices and
 * topics are deleted when the test file is done.
 */
export function isolatedConfig(overrides: Record<string, unknown> = {}): TagpulseConfig {
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const config = TagpulseConfig.parse({
    kafka: { brokers: inject('kafkaBrokers'), topicPrefix: prefix },
    search: { node: inject('searchNode'), indexPrefix: prefix },
    ...overrides,
  });
  madeInThisFile.push(config);
  return config;
}

/** An isolated config whose topics and indices exist. */
export async function initialisedConfig(overrides: Record<string, unknown> = {}): Promise<TagpulseConfig> {
  const config = isolatedConfig(overrides);
  await initialise(config);
  return config;
}
