import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { TagpulseConfig } from '../schemas/index.js';
import { createLogger } from '../infra/log.js';
import { stackStatus } from '../infra/local/stack.js';

const log = createLogger('api');

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  handle(request: IncomingMessage, url: URL): Promise<{ status: number; body: unknown }>;
}

/** What each server reports about itself, without process details (those are for `tagpulse stack status`). */
function healthRoute(config: TagpulseConfig): Route {
  return {
    method: 'GET',
    path: '/api/health',
    async handle() {
      const status = await stackStatus(config);
      const components = Object.fromEntries(
        Object.entries(status).map(([name, s]) => [name, { running: s.running, address: s.address, ...s.details }]),
      );
      const healthy = Object.values(status).every((s) => s.running);
      return { status: healthy ? 200 : 503, body: { healthy, components } };
    },
  };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/** The HTTP server behind `tagpulse serve` and `npm start`: a route table, JSON errors, never a crash on a bad request. */
export function createApiServer(config: TagpulseConfig, routes: Route[] = [healthRoute(config)]): Server {
  return createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const route = routes.find((r) => r.path === url.pathname);
    if (!route) {
      send(response, 404, { error: `no such endpoint ${url.pathname}`, endpoints: routes.map((r) => `${r.method} ${r.path}`) });
      return;
    }
    if (route.method !== request.method) {
      send(response, 405, { error: `${url.pathname} takes ${route.method}, not ${request.method}` });
      return;
    }
    route.handle(request, url).then(
      ({ status, body }) => send(response, status, body),
      (error: unknown) => {
        log.error('request failed', { path: url.pathname, error });
        send(response, 500, { error: 'internal error; the server log has the details' });
      },
    );
  });
}

export async function listen(server: Server, host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
