import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../infra/store/open.js';
import { TagpulseConfig } from '../../../schemas/index.js';

/**
 * Elasticsearch 8 cannot run on this machine, so its adapter is checked at the HTTP boundary: a local server
 * answering as Elasticsearch 8.19 does (product header, body shapes) records what the adapter sends.
 * Everything engine-neutral above the adapter is exercised against the real OpenSearch node elsewhere.
 */
interface Seen {
  method: string;
  url: string;
  authorization?: string;
  contentType?: string;
  body: string;
}

const seen: Seen[] = [];
let server: Server;
let node = '';

function answer(request: IncomingMessage, body: string): { status: number; json: unknown } {
  const url = request.url ?? '/';
  if (request.method === 'GET' && url === '/') {
    return { status: 200, json: { name: 'es01', cluster_name: 'docker-cluster', version: { number: '8.19.2', build_flavor: 'default' }, tagline: 'You Know, for Search' } };
  }
  if (request.method === 'POST' && url.startsWith('/tagpulse-posts/_pit')) return { status: 200, json: { id: 'pit-123' } };
  if (request.method === 'DELETE' && url === '/_pit') return { status: 200, json: { succeeded: true, num_freed: 1 } };
  if (request.method === 'POST' && url.split('?')[0] === '/_bulk') {
    const lines = body.trim().split('\n');
    return { status: 200, json: { took: 3, errors: false, items: [{ index: { _id: JSON.parse(lines[0]!).index._id, status: 201 } }] } };
  }
  if (request.method === 'POST' && url === '/tagpulse-posts/_search') {
    return { status: 200, json: { took: 1, hits: { total: { value: 0, relation: 'eq' }, hits: [] } } };
  }
  return { status: 404, json: { error: { type: 'index_not_found_exception', reason: `no such index [${url}]` }, status: 404 } };
}

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({ method: request.method!, url: request.url!, authorization: request.headers.authorization, contentType: request.headers['content-type'], body });
      const { status, json } = answer(request, body);
      response.writeHead(status, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
      response.end(JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  node = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the Elasticsearch 8 adapter', () => {
  it('is chosen from GET /, authenticates with the API key from the environment, and uses Elasticsearch paths', async () => {
    const config = TagpulseConfig.parse({ search: { node, apiKeyEnv: 'TEST_ES_API_KEY' } });
    const store = await openStore(config, { TEST_ES_API_KEY: 'c2VjcmV0' });
    try {
      expect(store.info).toMatchObject({ engine: 'elasticsearch', version: '8.19.2' });
      const pit = await store.openPointInTime('tagpulse-posts', '1m');
      expect(pit).toBe('pit-123');
      await store.closePointInTime(pit);
      const bulk = await store.bulk([{ index: 'tagpulse-posts', id: 'vk:1', document: { text: 'Серуен' }, version: 7 }]);
      expect(bulk.failed).toEqual([]);
      await store.search('tagpulse-posts', { query: { match_all: {} } });
    } finally {
      await store.close();
    }
    const calls = seen.filter((s) => s.url !== '/');
    expect(calls.map((c) => `${c.method} ${c.url.split('?')[0]}`)).toEqual([
      'POST /tagpulse-posts/_pit',
      'DELETE /_pit',
      'POST /_bulk',
      'POST /tagpulse-posts/_search',
    ]);
    expect(calls[0]!.url).toContain('keep_alive=1m');
    expect(decodeURIComponent(calls[2]!.url)).toContain('filter_path=took,items.*.status,items.*.error.type');
    expect(JSON.parse(calls[1]!.body)).toEqual({ id: 'pit-123' });
    expect(calls.every((c) => c.authorization === 'ApiKey c2VjcmV0')).toBe(true);
    const [action, document] = calls[2]!.body.trim().split('\n').map((line) => JSON.parse(line));
    expect(action).toEqual({ index: { _index: 'tagpulse-posts', _id: 'vk:1', version: 7, version_type: 'external' } });
    expect(document).toEqual({ text: 'Серуен' });
  });

  it('hands a search answer over as raw bytes, and a refusal as the engine\'s error', async () => {
    const store = await openStore(TagpulseConfig.parse({ search: { node } }), {});
    try {
      const bytes = await store.searchBytes('tagpulse-posts', { query: { match_all: {} } });
      expect(JSON.parse(bytes.toString('utf8'))).toEqual({ took: 1, hits: { total: { value: 0, relation: 'eq' }, hits: [] } });
      await expect(store.searchBytes('no-such-index', { query: { match_all: {} } })).rejects.toMatchObject({ status: 404, type: 'index_not_found_exception' });
    } finally {
      await store.close();
    }
  });

  it('refuses a forced engine that the server contradicts', async () => {
    const config = TagpulseConfig.parse({ search: { node, engine: 'opensearch' } });
    await expect(openStore(config)).rejects.toThrow(/search.engine is "opensearch" but .* is elasticsearch 8.19.2/);
  });
});
