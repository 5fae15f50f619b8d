import { once } from 'node:events';
import { loadConfig } from '../../infra/config.js';
import { initialise } from '../../infra/init.js';
import { stackUp } from '../../infra/local/stack.js';
import { stackHome } from '../../infra/local/paths.js';
import { createApiServer, listen } from '../../api/server.js';
import { UserFacingError, type Command } from '../command.js';
import { printChanges } from './init.js';

export const startCommand: Command = {
  path: ['start'],
  summary: 'Run everything: local stack, init, and the web server (what `npm start` runs)',
  help: `Usage: tagpulse start [--external-stack]

Brings the local Kafka and OpenSearch up (or reuses them), runs init, then runs the Tagpulse services
until Ctrl-C: the web server and HTTP API on api.host:api.port (default http://127.0.0.1:8080).
With --external-stack, Kafka and the search engine are expected at the configured addresses
(docker-compose.yml uses this) and no local process is started.
Stopping with Ctrl-C stops the services and leaves the stack running; \`tagpulse stack down\` stops it.
`,
  options: { 'external-stack': { type: 'boolean' } },
  async run({ values, io }) {
    const config = loadConfig(values.config as string | undefined);
    if (!values['external-stack']) {
      await stackUp(config, stackHome(), (line) => io.stderr.write(`${line}\n`));
    }
    printChanges(io.stdout, await initialise(config));
    const server = createApiServer(config);
    try {
      await listen(server, config.api.host, config.api.port);
    } catch (error) {
      throw new UserFacingError(`cannot listen on ${config.api.host}:${config.api.port} (${(error as Error).message}); set api.port in the config to a free port`);
    }
    const base = `http://${config.api.host}:${config.api.port}`;
    io.stdout.write(
      [
        '',
        'Tagpulse is running.',
        `  API health:      ${base}/api/health`,
        `  Search engine:   ${config.search.node}`,
        `  Kafka:           ${config.kafka.brokers.join(', ')}`,
        `  Stack data/logs: ${stackHome()}`,
        'Ctrl-C stops the services; `npx tagpulse stack down` stops Kafka and the search engine.',
        '',
      ].join('\n'),
    );
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    io.stdout.write('stopping...\n');
    await new Promise<void>((resolve) => server.close(() => resolve()));
  },
};
