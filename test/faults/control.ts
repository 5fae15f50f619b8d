import { inject } from 'vitest';
import { stackUp } from '../../infra/local/stack.js';
import { ourPid, stopOurs } from '../../infra/local/processes.js';
import { faultStackConfig } from './second-stack.js';

export type Server = 'kafka' | 'search';

/** The fault stack (never the shared one): its config and home folder, as the suite's global setup provided them. */
export function faultStack() {
  const home = inject('faultStackHome');
  if (!home) throw new Error('not on the fault stack: these tests run only in the `faults` vitest project');
  return { home, config: faultStackConfig(inject('kafkaBrokers'), inject('searchNode')) };
}

/**
 * Stops one server of the fault stack (SIGTERM, SIGKILL after the grace) and resolves once its process is gone.
 * Refuses when the server is not one the fault stack started, so it can never stop a shared server.
 */
export async function stopServer(server: Server, graceMs = 30_000): Promise<void> {
  const { home } = faultStack();
  if (ourPid(home, server) === undefined) throw new Error(`the fault stack's ${server} is not running (or not ours); refusing to stop anything`);
  await stopOurs(home, server, graceMs);
}

/**
 * Starts whatever server of the fault stack is down and resolves once it answers (stack up's own readiness check),
 * with the names of those it started. Fails when a server answers on the stack's address that the stack did not
 * start (another process took the port while ours was down): the tests would otherwise talk to a stranger.
 */
export async function startServers(): Promise<string[]> {
  const { home, config } = faultStack();
  const { started, reused } = await stackUp(config, home);
  const strangers = reused.filter((name) => ourPid(home, name) === undefined);
  if (strangers.length > 0) throw new Error(`the fault stack's ${strangers.join(', ')} address is answered by a server it did not start (the port was taken while ours was down)`);
  return started;
}
