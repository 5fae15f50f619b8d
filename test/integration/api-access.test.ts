import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scheduler } from '../../api/reports.js';
import type { TagpulseConfig } from '../../schemas/index.js';
import { apiGet, startApi, TEST_KEYS, type RunningApi } from '../support/api.js';
import { initialisedConfig } from '../support/config.js';

interface ErrorBody {
  error: string;
  field?: string;
  endpoints?: string[];
}

async function refusal(response: Response): Promise<{ status: number; body: ErrorBody; headers: Headers }> {
  return { status: response.status, body: (await response.json()) as ErrorBody, headers: response.headers };
}

describe('API access, validation and the OpenAPI document', () => {
  let config: TagpulseConfig;
  let api: RunningApi;
  const scheduled: string[] = [];
  let stopped = 0;

  beforeAll(async () => {
    config = await initialisedConfig({
      reports: [{ name: 'daily', cron: '0 7 * * *', outDir: '/tmp', query: { export: 'trends', tag: ['metoo'] } }],
    });
    const scheduler: Scheduler = {
      schedule: (expression, _task, { name }) => {
        scheduled.push(`${name} ${expression}`);
        return { stop: () => void stopped++ };
      },
    };
    // The dashboards' hook: everything outside /api/ goes to it first.
    const statics = async (request: { url?: string }, response: import('node:http').ServerResponse) => {
      if (request.url !== '/') return false;
      response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Tagpulse</h1>');
      return true;
    };
    api = await startApi(config, { scheduler, statics });
  });

  afterAll(async () => {
    await api?.close();
  });

  it('schedules the configured reports with the server, and stops them with it', () => {
    expect(scheduled).toEqual(['report:daily 0 7 * * *']);
  });

  it('serves the OpenAPI 3.1 document, generated from the validating schemas', async () => {
    const response = await apiGet(api.base, '/api/openapi.json');
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, Record<string, { parameters: Array<{ name: string; schema: { enum?: string[] } }>; 'x-role': string }>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/api/abuse', '/api/admin/keys', '/api/cooccurrence', '/api/cooccurrence.gexf', '/api/export/abuse.csv', '/api/export/cooccurrence.csv',
        '/api/export/posts.csv', '/api/export/trends.csv', '/api/health', '/api/openapi.json', '/api/search', '/api/trends',
      ].sort(),
    );
    const trends = doc.paths['/api/trends']!.get!;
    expect(trends.parameters.find((p) => p.name === 'interval')!.schema.enum).toEqual(['hour', 'day', 'week', 'month']);
    expect(doc.paths['/api/search']!.get!['x-role']).toBe('researcher');
    expect(doc.paths['/api/export/posts.csv']!.get!['x-role']).toBe('researcher');
    expect(doc.paths['/api/admin/keys']!.get!['x-role']).toBe('admin');
  });

  it('refuses a bad parameter with a 400 naming the field and what is allowed', async () => {
    expect(await refusal(await apiGet(api.base, '/api/trends', { tag: 'metoo', interval: 'year' }))).toMatchObject({
      status: 400,
      body: { field: 'interval', error: 'interval: must be one of hour, day, week, month (got "year")' },
    });
    expect(await refusal(await apiGet(api.base, '/api/trends', { tag: '###' }))).toMatchObject({
      status: 400,
      body: { field: 'tag', error: 'tag: "###" has no letter or digit, so it is no tag' },
    });
    expect(await refusal(await apiGet(api.base, '/api/trends', { tag: 'metoo', family: 'nosuch' }))).toMatchObject({
      status: 400,
      body: { field: 'family', error: expect.stringMatching(/^family: no family "nosuch" in the config; families: qazaqkoktemi, /) },
    });
    expect(await refusal(await apiGet(api.base, '/api/search', { search_after: 'eyJ4Ijox' }, TEST_KEYS.researcher))).toMatchObject({
      status: 400,
      body: { field: 'search_after', error: expect.stringMatching(/not a cursor this API gave/) },
    });
    const tooMany = await refusal(await apiGet(api.base, '/api/trends', { tag: 'metoo', interval: 'hour', from: '2000-01-01', to: '2026-01-01' }));
    expect(tooMany).toMatchObject({ status: 400, body: { field: 'interval', error: expect.stringMatching(/more than 50,000; choose a longer interval/) } });
  });

  it('passes search text to the engine as text: query syntax that would steer a query parser is just words', async () => {
    for (const q of ['text:* OR _exists_:author', '/.*/', 'a AND (b', '"unbalanced', '{"match_all":{}}']) {
      const response = await apiGet(api.base, '/api/search', { q }, TEST_KEYS.researcher);
      expect(response.status, q).toBe(200);
    }
  });

  it('keeps posts from the public role, saying why, and aggregates carry no author', async () => {
    const anonymous = await refusal(await apiGet(api.base, '/api/search'));
    expect(anonymous).toMatchObject({ status: 403, body: { error: '/api/search needs an API key with the researcher role or higher; requests without a key have the public role (aggregates only)' } });
    const publicKey = await refusal(await apiGet(api.base, '/api/export/posts.csv', {}, TEST_KEYS.public));
    expect(publicKey).toMatchObject({ status: 403, body: { error: '/api/export/posts.csv needs the researcher role or higher; the key "newsroom" has the public role' } });
    const trends = await apiGet(api.base, '/api/trends', { tag: 'metoo' }, TEST_KEYS.public);
    expect(trends.status).toBe(200);
    expect(await trends.text()).not.toMatch(/author/);
    expect((await apiGet(api.base, '/api/search', {}, TEST_KEYS.researcher)).status).toBe(200);
  });

  it('answers 401 for an unknown key, and shows admins the keys without their secrets', async () => {
    const unknown = await refusal(await apiGet(api.base, '/api/trends', { tag: 'metoo' }, 'not-a-key-of-this-server-0000'));
    expect(unknown).toMatchObject({ status: 401, body: { error: expect.stringMatching(/not valid on this server/) } });
    expect(unknown.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await refusal(await apiGet(api.base, '/api/admin/keys', {}, TEST_KEYS.researcher))).status).toBe(403);
    const keys = await apiGet(api.base, '/api/admin/keys', {}, TEST_KEYS.admin);
    const text = await keys.text();
    expect(keys.status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ anonymous: true, keys: [{ name: 'newsroom', role: 'public' }, { name: 'aigerim', role: 'researcher' }, { name: 'ops', role: 'admin' }] });
    for (const secret of Object.values(TEST_KEYS)) expect(text).not.toContain(secret);
  });

  it('says which endpoints exist, refuses other methods, and hands other paths to the web page hook', async () => {
    const missing = await refusal(await apiGet(api.base, '/api/nothing'));
    expect(missing.status).toBe(404);
    expect(missing.body.endpoints).toContain('GET /api/trends');
    const post = await fetch(new URL('/api/trends', api.base), { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    const page = await fetch(new URL('/', api.base));
    expect([page.status, await page.text()]).toEqual([200, '<h1>Tagpulse</h1>']);
    expect((await fetch(new URL('/other.js', api.base))).status).toBe(404);
  });

  it('limits each key to its rate, with Retry-After, and other keys are not affected; refused keys are limited per address', async () => {
    const limited = await startApi({ ...config, reports: [], api: { ...config.api, rateLimit: { perMinute: 1, burst: 2 } } });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await apiGet(limited.base, '/api/trends', { tag: 'metoo' }, TEST_KEYS.public)).status);
      expect(statuses).toEqual([200, 200, 429]);
      const refused = await refusal(await apiGet(limited.base, '/api/trends', { tag: 'metoo' }, TEST_KEYS.public));
      expect(refused.body.error).toMatch(/^rate limit of 1 requests a minute, bursts of 2 reached for newsroom; retry in \d+ s$/);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await apiGet(limited.base, '/api/trends', { tag: 'metoo' }, TEST_KEYS.researcher)).status).toBe(200);

      // Guessing keys: refused keys share one bucket per address, which the valid keys do not touch.
      const guesses = [];
      for (let i = 0; i < 3; i++) guesses.push((await apiGet(limited.base, '/api/trends', { tag: 'metoo' }, `guess-${i}`.padEnd(32, 'x'))).status);
      expect(guesses).toEqual([401, 401, 429]);
      const throttled = await refusal(await apiGet(limited.base, '/api/trends', { tag: 'metoo' }, 'another-guess'.padEnd(32, 'x')));
      expect(throttled.body.error).toMatch(/^rate limit of 1 requests a minute, bursts of 2 reached for refused keys from \S+; retry in \d+ s$/);
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await apiGet(limited.base, '/api/trends', { tag: 'metoo' }, TEST_KEYS.admin)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('needs a key for everything but health and the document when anonymous access is off', async () => {
    const closed = await startApi({ ...config, reports: [], api: { ...config.api, anonymous: false } });
    try {
      expect(await refusal(await apiGet(closed.base, '/api/trends', { tag: 'metoo' }))).toMatchObject({ status: 401, body: { error: expect.stringMatching(/needs an API key/) } });
      expect((await apiGet(closed.base, '/api/openapi.json')).status).toBe(200);
      expect((await apiGet(closed.base, '/api/trends', { tag: 'metoo' }, TEST_KEYS.public)).status).toBe(200);
    } finally {
      await closed.close();
    }
  });

  it('stops the report schedules when the service closes', async () => {
    const again = await startApi(config, { scheduler: { schedule: () => ({ stop: () => void stopped++ }) } });
    await again.close();
    expect(stopped).toBe(1);
  });
});
