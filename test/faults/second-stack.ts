import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { portInUse } from '../../infra/local/component.js';
import { stackDown, stackUp } from '../../infra/local/stack.js';
import { TagpulseConfig } from '../../schemas/index.js';
import { freePort } from '../support/cli.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The fault stack's home folder (pid files, data, logs): what a test stops and starts servers in. */
    faultStackHome: string;
  }
}

/** A free port in the local OpenSearch runner's range, searched from the middle down (the lifecycle test takes the top). */
async function freeSearchPort(): Promise<number> {
  for (let port = 9260; port > 9200; port--) if (!(await portInUse('127.0.0.1', port))) return port;
  throw new Error('no free port in 9201-9260 for the fault stack');
}

/** A port whose successor is free too (Kafka's controller listens on broker port + 1). */
async function freeKafkaPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 65535 && !(await portInUse('127.0.0.1', port + 1))) return port;
  }
}

/** The config of the fault stack: its own ports, nothing else changed. */
export function faultStackConfig(brokers: string[], node: string): TagpulseConfig {
  return TagpulseConfig.parse({ kafka: { brokers }, search: { node } });
}

/**
 * The fault suite's own stack: a second Kafka and OpenSearch, on free ports, with a home folder of its own, so
 * tests may stop and restart its servers without touching the shared stack on 9092/9200 (which other work and
 * the integration tests use). It is provided to the tests under the same names as the integration stack
 * (`kafkaBrokers`, `searchNode`), so test/support/config.ts's isolated configs point at it; everything of it is
 * stopped and deleted afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const home = mkdtempSync(join(tmpdir(), 'tagpulse-faults-'));
  const config = faultStackConfig([`127.0.0.1:${await freeKafkaPort()}`], `http://127.0.0.1:${await freeSearchPort()}`);
  const log = (line: string) => process.stderr.write(`[fault stack] ${line}\n`);
  try {
    await stackUp(config, home, log);
  } catch (error) {
    await stackDown(config, home);
    throw error;
  }
  project.provide('kafkaBrokers', config.kafka.brokers);
  project.provide('searchNode', config.search.node);
  project.provide('faultStackHome', home);
  return async () => {
    await stackDown(config, home);
    rmSync(home, { recursive: true, force: true });
  };
}
