import { ApiErrorBody, ApiKeysAnswer, ExportParams, EXPORT_KINDS, type ExportKind, type TagpulseConfig } from '../schemas/index.js';
import { stackStatus } from '../infra/local/stack.js';
import type { SearchStore } from '../infra/store/search-store.js';
import type { Principal } from './auth.js';
import { writeExport } from './exports.js';
import { formatAnswer } from './format.js';
import { openApiDocument } from './openapi.js';
import { queryContext, type QueryContext } from './queries/context.js';
import { QUERIES, type QueryDefinition } from './queries/index.js';
import { timestampForFile } from './reports.js';
import type { Access, Route } from './server.js';

/** What each server reports about itself, without process details (those are for `tagpulse stack status`). */
function healthRoute(config: TagpulseConfig): Route {
  return {
    method: 'GET',
    path: '/api/health',
    summary: 'Whether Kafka and the search engine run, with their versions',
    role: 'open',
    answer: { contentType: 'application/json', description: '{ healthy, components: { kafka, search } }; 503 when one is down' },
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

/** Admin keys see every post author as stored; researcher keys see pseudonyms only. */
function contextFor(store: SearchStore, config: TagpulseConfig, principal: Principal | undefined): QueryContext {
  return queryContext(store, config, principal?.role === 'admin' ? 'all' : 'pseudonyms');
}

function queryRoute(store: SearchStore, config: TagpulseConfig, query: QueryDefinition<never>): Route {
  return {
    method: 'GET',
    path: `/api/${query.name}`,
    summary: query.summary,
    role: query.name === 'search' ? 'researcher' : 'public',
    params: query.params,
    answer: { schema: query.answer },
    handle: async ({ params, principal }) => ({ status: 200, body: await query.run(contextFor(store, config, principal), params as never) }),
  };
}

function gexfRoute(store: SearchStore, config: TagpulseConfig): Route {
  const query = QUERIES.cooccurrence;
  return {
    method: 'GET',
    path: '/api/cooccurrence.gexf',
    summary: 'The co-occurrence answer as a GEXF 1.3 graph for Gephi',
    role: 'public',
    params: query.params,
    answer: { contentType: 'application/gexf+xml', description: 'GEXF 1.3: the tag and its partners as nodes, pair counts as edge weights, measures as edge attributes' },
    async handle({ params, principal }) {
      const answer = await query.run(contextFor(store, config, principal), params as never);
      const text = formatAnswer(query, answer, 'gexf');
      return { status: 200, contentType: 'application/gexf+xml; charset=utf-8', filename: `cooccurrence-${timestampForFile(new Date())}.gexf`, write: async (out) => void out.write(text) };
    },
  };
}

function exportRoute(store: SearchStore, config: TagpulseConfig, kind: ExportKind): Route {
  return {
    method: 'GET',
    path: `/api/export/${kind}.csv`,
    summary: kind === 'posts' ? 'Every matching post as CSV, streamed (researcher)' : `The ${kind} answer as CSV`,
    role: kind === 'posts' ? 'researcher' : 'public',
    params: ExportParams[kind],
    answer: { contentType: 'text/csv', description: 'RFC 4180 CSV, UTF-8 (with a BOM when bom=true); columns in docs/api.md#csv-columns' },
    async handle({ params, principal }) {
      const context = contextFor(store, config, principal);
      return {
        status: 200,
        contentType: 'text/csv; charset=utf-8; header=present',
        filename: `${kind}-${timestampForFile(new Date(context.now()))}.csv`,
        write: async (out) => void (await writeExport(context, kind, params as never, out, 'csv')),
      };
    },
  };
}

function adminKeysRoute(config: TagpulseConfig, access: Access): Route {
  return {
    method: 'GET',
    path: '/api/admin/keys',
    summary: 'The configured keys (names and roles, never secrets) with their requests and rate-limit refusals since start',
    role: 'admin',
    answer: { schema: ApiKeysAnswer },
    async handle() {
      const usage = (name: string) => access.usage.get(name) ?? { requests: 0, rejected: 0 };
      return { status: 200, body: { keys: access.keys.map((k) => ({ name: k.name, role: k.role, ...usage(k.name) })), anonymous: config.api.anonymous } };
    },
  };
}

/** Every route of the API; the OpenAPI document is generated from this same table. */
export function apiRoutes(store: SearchStore, config: TagpulseConfig, access: Access): Route[] {
  const routes: Route[] = [
    healthRoute(config),
    queryRoute(store, config, QUERIES.trends),
    queryRoute(store, config, QUERIES.cooccurrence),
    gexfRoute(store, config),
    queryRoute(store, config, QUERIES.abuse),
    queryRoute(store, config, QUERIES.search),
    ...EXPORT_KINDS.map((kind) => exportRoute(store, config, kind)),
    adminKeysRoute(config, access),
  ];
  let document: unknown;
  routes.push({
    method: 'GET',
    path: '/api/openapi.json',
    summary: 'This document',
    role: 'open',
    answer: { contentType: 'application/json', description: 'OpenAPI 3.1' },
    handle: async () => ({ status: 200, body: document }),
  });
  document = openApiDocument(routes, ApiErrorBody, config.api.anonymous);
  return routes;
}
