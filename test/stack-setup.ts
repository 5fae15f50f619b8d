import type { TestProject } from 'vitest/node';
import { TagpulseConfig } from '../schemas/index.js';
import { stackDown, stackUp } from '../infra/local/stack.js';
import { stackHome } from '../infra/local/paths.js';
import { startContainerStack } from './support/containers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
    searchNode: string;
  }
}

/**
 * Brings one real stack up for the whole integration run: the local Java processes (reused if already up,
 * torn down afterwards only if this run started them), or, with TAGPULSE_TEST_STACK=containers on a machine
 * with a Docker engine, testcontainers.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.TAGPULSE_TEST_STACK === 'containers') {
    const stack = await startContainerStack();
    project.provide('kafkaBrokers', [stack.kafkaBroker]);
    project.provide('searchNode', stack.searchNode);
    return stack.stop;
  }
  const config = TagpulseConfig.parse({});
  const result = await stackUp(config, stackHome(), (line) => process.stderr.write(`[stack] ${line}\n`));
  project.provide('kafkaBrokers', config.kafka.brokers);
  project.provide('searchNode', config.search.node);
  return async () => {
    if (result.started.length > 0) await stackDown(config);
  };
}
