import { once } from 'node:events';
import { loadConfig } from '../../infra/config.js';
import type { TagpulseConfig } from '../../schemas/index.js';
import { UsageError, UserFacingError, type Command, type CommandIo } from '../command.js';

/**
 * Runs the API and the report schedules until SIGINT or SIGTERM: what `tagpulse serve` is, and what
 * `tagpulse start` runs once the stack is up. `describe` lines are printed with the addresses.
 */
export async function serveUntilStopped(config: TagpulseConfig, io: CommandIo, describe: string[] = []): Promise<void> {
  // The API, the search clients and the page's chart code load here, when serving, not for `serve --help`.
  const [{ createApiService }, { dashboardPage }, { listen }] = await Promise.all([
    import('../../api/app.js'),
    import('../../dashboards/web/serve.js'),
    import('../../api/server.js'),
  ]);
  const service = await createApiService(config, { statics: dashboardPage(config) });
  try {
    try {
      await listen(service.server, config.api.host, config.api.port);
    } catch (error) {
      throw new UserFacingError(`cannot listen on ${config.api.host}:${config.api.port} (${(error as Error).message}); set api.port in the config to a free port`);
    }
    const base = `http://${config.api.host}:${config.api.port}`;
    io.stdout.write(
      [
        '',
        'Tagpulse is running.',
        `  Web page:        ${base}/`,
        `  API:             ${base}/api/ (reference: ${base}/api/openapi.json)`,
        `  API health:      ${base}/api/health`,
        `  Reports:         ${config.reports.length === 0 ? 'none configured' : config.reports.map((r) => `${r.name} (${r.cron})`).join(', ')}`,
        ...describe,
        '',
      ].join('\n'),
    );
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    io.stdout.write('stopping...\n');
    await new Promise<void>((resolve) => service.server.close(() => resolve()));
  } finally {
    await service.close();
  }
}

export const serveCommand: Command = {
  path: ['serve'],
  summary: 'Run the HTTP API and the scheduled reports (the stack must be running)',
  help: `Usage: tagpulse serve [--host HOST] [--port PORT]

Serves the query API on api.host:api.port (default http://127.0.0.1:8080): trends, co-occurrence (also GEXF),
abuse, post search, CSV exports and /api/openapi.json; and runs the reports of the config on their cron
schedules. Kafka and the search engine must be running (\`tagpulse start\` brings them up first).

API keys come from the environment variable api.keysEnv names (default TAGPULSE_API_KEYS), as
name:role:key entries separated by commas; roles are public, researcher and admin. See docs/api.md.

Options:
  --host HOST    overrides api.host
  --port PORT    overrides api.port
`,
  options: { host: { type: 'string' }, port: { type: 'string' } },
  async run({ values, io }) {
    const config = loadConfig(values.config as string | undefined);
    if (values.host !== undefined) config.api.host = String(values.host);
    if (values.port !== undefined) {
      const port = Number(values.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port must be a port number 1-65535 (got ${JSON.stringify(values.port)})`);
      config.api.port = port;
    }
    await serveUntilStopped(config, io);
  },
};
