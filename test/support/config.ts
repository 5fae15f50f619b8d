import { randomBytes } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import { TagpulseConfig } from '../../schemas/index.js';
import { initialise } from '../../infra/init.js';
import { dropPrefixed } from '../../infra/drop-prefixed.js';

/** Every isolated config this test file made; vitest gives each file its own instance of this module. */
const madeInThisFile: TagpulseConfig[] = [];

// Registered while the file is collected, so it runs after the file's tests whether the configs were made in
// tests or in hooks.
afterAll(async () => {
  for (const config of madeInThisFile.splice(0)) await dropPrefixed(config, 'test-cleanup');
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
