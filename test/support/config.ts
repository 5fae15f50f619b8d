import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { TagpulseConfig } from '../../schemas/index.js';
import { initialise } from '../../infra/init.js';

/**
 * A config pointing at the run's real stack, with topic and index prefixes of its own, so test files
 * never see each other's data (and never a developer's `tagpulse` data on a reused stack).
 */
export function isolatedConfig(overrides: Record<string, unknown> = {}): TagpulseConfig {
  const prefix = `t${randomBytes(4).toString('hex')}`;
  return TagpulseConfig.parse({
    kafka: { brokers: inject('kafkaBrokers'), topicPrefix: prefix },
    search: { node: inject('searchNode'), indexPrefix: prefix },
    ...overrides,
  });
}

/** An isolated config whose topics and indices exist. */
export async function initialisedConfig(overrides: Record<string, unknown> = {}): Promise<TagpulseConfig> {
  const config = isolatedConfig(overrides);
  await initialise(config);
  return config;
}
