import type { Server } from 'node:http';
import { openStore } from '../infra/store/open.js';
import type { TagpulseConfig } from '../schemas/index.js';
import { parseApiKeys } from './auth.js';
import { queryContext } from './queries/context.js';
import { RateLimiter } from './rate-limit.js';
import { nodeCronScheduler, scheduleReports, type Scheduler } from './reports.js';
import { apiRoutes } from './routes.js';
import { createApiServer, type Access, type StaticHandler } from './server.js';

export interface ApiService {
  server: Server;
  /** Stops the report schedules and closes the store (the server is closed by whoever listens on it). */
  close(): Promise<void>;
}

/**
 * Everything `tagpulse serve` runs: the store, the keys from the environment, the routes, the server (not yet
 * listening) and the report schedules.
 */
export async function createApiService(
  config: TagpulseConfig,
  options: { env?: NodeJS.ProcessEnv; statics?: StaticHandler; scheduler?: Scheduler } = {},
): Promise<ApiService> {
  const env = options.env ?? process.env;
  const access: Access = {
    keys: parseApiKeys(env[config.api.keysEnv], config.api.keysEnv),
    anonymous: config.api.anonymous,
    limiter: new RateLimiter(config.api.rateLimit.perMinute, config.api.rateLimit.burst),
    usage: new Map(),
  };
  const store = await openStore(config, env);
  const reports = scheduleReports(queryContext(store, config, 'all'), config.reports, options.scheduler ?? nodeCronScheduler);
  const server = createApiServer(apiRoutes(store, config, access), access, options.statics);
  return {
    server,
    async close() {
      await reports.stop();
      await store.close();
    },
  };
}
