import { mkdirSync, readFileSync } from 'node:fs';
import { UserFacingError } from '../../cli/command.js';
import type { TagpulseConfig } from '../../schemas/index.js';
import { waitFor } from '../wait.js';
import type { ComponentStatus, StackComponent } from './component.js';
import { kafkaComponent } from './kafka-node.js';
import { opensearchComponent } from './opensearch-node.js';
import { stackHome } from './paths.js';
import { ourPid, stopOurs } from './processes.js';
import { requireJava } from './toolchain.js';

export const READY_TIMEOUT_MS = 180_000;

function components(config: TagpulseConfig): StackComponent[] {
  return [kafkaComponent(config), opensearchComponent(config)];
}

export type StackStatus = Record<string, ComponentStatus>;

export async function stackStatus(config: TagpulseConfig, home = stackHome()): Promise<StackStatus> {
  const entries = await Promise.all(
    components(config).map(async (component): Promise<[string, ComponentStatus]> => {
      const pid = ourPid(home, component.name);
      let details: Record<string, unknown> | undefined;
      try {
        details = await component.probe();
      } catch (error) {
        details = { error: (error as Error).message };
      }
      return [
        component.name,
        { running: details !== undefined && !('error' in details), ours: pid !== undefined, pid, address: component.address, details: details ?? {} },
      ];
    }),
  );
  return Object.fromEntries(entries);
}

export interface UpResult {
  /** Components this call started (the others were already running and are reused). */
  started: string[];
  reused: string[];
}

/**
 * Brings Kafka and the search engine up, or reuses what already answers on their addresses.
 * A port held by a server of another kind fails with a message naming the port (the probe throws).
 */
export async function stackUp(config: TagpulseConfig, home = stackHome(), log: (line: string) => void = () => {}): Promise<UpResult> {
  mkdirSync(home, { recursive: true });
  const result: UpResult = { started: [], reused: [] };
  const toStart: StackComponent[] = [];
  // Probe everything before starting anything, so a port held by a foreign server fails the whole `up` cleanly.
  const all = components(config);
  const probes = await Promise.all(all.map((component) => component.probe()));
  // Nothing is announced or started before the toolchain is known to be there.
  if (probes.some((running) => !running)) requireJava();
  for (const [i, component] of all.entries()) {
    const running = probes[i];
    if (running) {
      result.reused.push(component.name);
      log(`${component.name}: reusing the server already answering at ${component.address}`);
    } else if (ourPid(home, component.name) !== undefined) {
      // Our process is alive but not answering yet (an earlier `up` still starting): wait for it instead of starting twice.
      result.reused.push(component.name);
      toStart.push(component);
    } else {
      log(`${component.name}: starting at ${component.address} (data and logs in ${home})`);
      await component.start(home);
      result.started.push(component.name);
      toStart.push(component);
    }
  }
  try {
    await Promise.all(toStart.map((component) => awaitReady(component, home)));
  } catch (error) {
    // Leave nothing half-started behind: what this call started, it stops.
    for (const name of result.started) await stopOurs(home, name);
    throw error;
  }
  if (result.started.includes('search')) await relaxDiskWatermarks(config);
  return result;
}

/** Waits for a component to answer; fails early, with its last log lines, if its process exits first. */
async function awaitReady(component: StackComponent, home: string): Promise<void> {
  let exited = false;
  try {
    await waitFor(
      `${component.name} to be ready at ${component.address}`,
      async () => {
        exited = ourPid(home, component.name) === undefined;
        return exited || (await component.ready());
      },
      { timeoutMs: READY_TIMEOUT_MS, intervalMs: 500 },
    );
  } catch (error) {
    throw new UserFacingError(`${(error as Error).message}; its log: ${component.logFile(home)}`);
  }
  if (exited) {
    const tail = readFileSync(component.logFile(home), 'utf8').trim().split('\n').slice(-3).join(' | ');
    throw new UserFacingError(`${component.name} exited while starting; see ${component.logFile(home)}: ${tail}`);
  }
}

/**
 * A single-node development engine on a nearly full disk would otherwise turn every index read-only;
 * the local stack is for development and tests, so disk-based allocation is switched off on nodes we start.
 */
async function relaxDiskWatermarks(config: TagpulseConfig): Promise<void> {
  await fetch(new URL('/_cluster/settings', config.search.node), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ persistent: { 'cluster.routing.allocation.disk.threshold_enabled': false } }),
  });
}

/** Stops only the processes that `up` started (proved by their pid files and command-line markers). */
export async function stackDown(config: TagpulseConfig, home = stackHome()): Promise<string[]> {
  const stopped: string[] = [];
  for (const component of components(config).reverse()) {
    if (await stopOurs(home, component.name)) stopped.push(component.name);
  }
  return stopped;
}
