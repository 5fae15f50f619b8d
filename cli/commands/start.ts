import { join, relative } from 'node:path';
import { loadConfig } from '../../infra/config.js';
import { initialise } from '../../infra/init.js';
import { stackUp } from '../../infra/local/stack.js';
import { PACKAGE_ROOT, stackHome } from '../../infra/local/paths.js';
import { ensureLocalPseudonymKey, LOCAL_KEY_FILE } from '../../infra/local/pseudonym-key.js';
import { createLogger } from '../../infra/log.js';
import type { TagpulseConfig } from '../../schemas/index.js';
import type { Command, CommandIo } from '../command.js';
import { printChanges } from './init.js';
import { serveUntilStopped } from './serve.js';

const log = createLogger('start');

/**
 * The enabled sources that can run now. A source whose credentials are missing is skipped with a line saying
 * so, rather than keeping the other services from starting: `tagpulse collect --source NAME` shows its error.
 */
async function startCollectors(config: TagpulseConfig, io: CommandIo, signal: AbortSignal): Promise<{ running: string; done: Promise<void> }> {
  const { createSource, hasCollector } = await import('../../ingest/sources/index.js');
  const { Collector } = await import('../../ingest/framework/collector.js');
  const sources = [];
  for (const source of config.sources.filter((s) => s.enabled && hasCollector(s.type))) {
    try {
      sources.push(createSource(config, source));
    } catch (error) {
      io.stderr.write(`start: not collecting ${source.name}: ${(error as Error).message}\n`);
    }
  }
  if (sources.length === 0) return { running: 'none (add "sources" to the config; docs/collectors.md)', done: Promise.resolve() };
  const collector = await Collector.open(config, sources);
  const done = collector.runScheduled(signal).finally(() => collector.close());
  return { running: sources.map((s) => s.source.name).join(', '), done };
}

export const startCommand: Command = {
  path: ['start'],
  summary: 'Run everything: local stack, init, collectors, processors and the web server (what `npm start` runs)',
  help: `Usage: tagpulse start [--external-stack]

Brings the local Kafka and OpenSearch up (or reuses them), runs init, then runs the Tagpulse services until
Ctrl-C: the collectors of the enabled sources on their schedules (as \`tagpulse collect\`), the stream
processors (as \`tagpulse process\`), and the web page, HTTP API and scheduled reports on api.host:api.port
(default http://127.0.0.1:8080, as \`tagpulse serve\`). It prints where to look.

Pseudonymisation needs a key (privacy.keyEnv, default TAGPULSE_PSEUDONYM_KEY). With the local stack and no
key in the environment, start creates a random one once in the stack's home (${LOCAL_KEY_FILE}, mode 0600,
gitignored) and reuses it, so pseudonyms stay stable across restarts; set the variable to use your own.
With --external-stack, Kafka and the search engine are expected at the configured addresses
(docker-compose.yml uses this), no local process is started, and the key must come from the environment.
Stopping with Ctrl-C stops the services and leaves the stack running; \`tagpulse stack down\` stops it.
`,
  options: { 'external-stack': { type: 'boolean' } },
  async run({ values, io }) {
    const config = loadConfig(values.config as string | undefined);
    const localStack = !values['external-stack'];
    const home = stackHome();
    if (localStack) await stackUp(config, home, (line) => io.stderr.write(`${line}\n`));
    printChanges(io.stdout, await initialise(config));
    let keyLine = '  Pseudonyms:      off (privacy.pseudonymise is false)';
    if (config.privacy.pseudonymise) {
      const source = localStack ? ensureLocalPseudonymKey(home, config.privacy.keyEnv) : 'environment';
      const where = source === 'environment' ? `key from ${config.privacy.keyEnv}` : `key in ${join(home.startsWith(PACKAGE_ROOT) ? relative(PACKAGE_ROOT, home) : home, LOCAL_KEY_FILE)}${source === 'created' ? ' (created now)' : ''}`;
      keyLine = `  Pseudonyms:      HMAC-SHA256, ${where}`;
    }

    const stop = new AbortController();
    // A service that cannot go on (a fatal processor error, say) stops the others too, through the same
    // path as Ctrl-C, and its error becomes start's.
    let failure: unknown;
    const failed = (error: unknown) => {
      failure ??= error;
      log.error('a service stopped with an error; stopping the others', { error });
      process.kill(process.pid, 'SIGTERM');
    };
    const { runProcessors } = await import('../../processors/run.js');
    const { STAGE_NAMES } = await import('../../processors/topology.js');
    const processing = runProcessors(config, { stages: STAGE_NAMES, signal: stop.signal, threads: true }).catch(failed);
    const collectors = await startCollectors(config, io, stop.signal);
    const collecting = collectors.done.catch(failed);
    try {
      await serveUntilStopped(config, io, [
        `  Collectors:      ${collectors.running}`,
        '  Processors:      normalise, metrics, sink',
        keyLine,
        `  Search engine:   ${config.search.node}`,
        `  Kafka:           ${config.kafka.brokers.join(', ')}`,
        `  Stack data/logs: ${home}`,
        'Ctrl-C stops the services; `npx tagpulse stack down` stops Kafka and the search engine.',
      ]);
    } finally {
      stop.abort();
      await Promise.all([processing, collecting]);
    }
    if (failure) throw failure;
  },
};
