import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiErrorBody } from '../../schemas/index.js';
import { startApi, TEST_KEYS, type RunningApi } from '../support/api.js';
import { initialisedConfig } from '../support/config.js';

/**
 * The HTTP API under hostile requests, on the fault stack: bad parameters, query syntax in search text, oversized
 * and malformed requests. Every answer must be a 4xx with a message (never a 500), and the server must go on.
 */
let api: RunningApi;
beforeAll(async () => {
  // A rate limit no test run reaches: these tests are about answers to bad requests, not about the limit.
  api = await startApi(await initialisedConfig({ api: { rateLimit: { perMinute: 1_000_000, burst: 1_000_000 } } }));
});
afterAll(async () => {
  await api?.close();
});

interface Answer {
  status: number;
  body: string;
}

/** A GET with a raw query string (no re-encoding: the test says exactly what goes on the wire); `null`: no key. */
async function get(path: string, key: string | null = TEST_KEYS.researcher, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${api.base}${path}`, { ...init, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(init.headers ?? {}) } });
  return { status: response.status, body: await response.text() };
}

/** Bytes straight onto a socket, for what fetch refuses to send; resolves with the raw answer. */
function raw(request: string | Buffer): Promise<Answer> {
  const { hostname, port } = new URL(api.base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let text = '';
    socket.setTimeout(15_000, () => socket.destroy(new Error('no answer within 15 s')));
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', (error) => (text ? resolve(parse(text)) : reject(error)));
    socket.on('close', () => resolve(parse(text)));
    socket.end(request);
  });
  function parse(text: string): Answer {
    const status = Number(text.match(/^HTTP\/1\.1 (\d{3})/)?.[1] ?? 0);
    return { status, body: text.slice(text.indexOf('\r\n\r\n') + 4) };
  }
}

/** A 4xx whose body is the API's error shape with a message a person can act on. */
function expectRefusal(answer: Answer, what: string): void {
  expect(answer.status, `${what}: ${answer.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(answer.status, `${what}: ${answer.body.slice(0, 300)}`).toBeLessThan(500);
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    throw new Error(`${what}: ${answer.status} without a JSON message: ${JSON.stringify(answer.body.slice(0, 200))}`);
  }
  const parsed = ApiErrorBody.safeParse(body);
  expect(parsed.success, `${what}: ${answer.body.slice(0, 300)}`).toBe(true);
  expect(parsed.data!.error.length, what).toBeGreaterThan(5);
}

async function stillServing(): Promise<void> {
  const health = await get('/api/openapi.json', null);
  expect(health.status).toBe(200);
}

const BAD_PARAMS: Array<[string, string]> = [
  ['a date that is not one', '/api/trends?tag=seruen&from=yesterday-ish'],
  ['from after to', '/api/trends?tag=seruen&from=2026-03-10&to=2026-03-01'],
  ['an unknown interval', '/api/trends?tag=seruen&interval=fortnight'],
  ['an unknown time zone', '/api/trends?tag=seruen&tz=Mars/Olympus_Mons'],
  ['an unknown platform', '/api/trends?tag=seruen&platform=myspace'],
  ['an unknown language', '/api/trends?tag=seruen&lang=tlh'],
  ['an empty tag', '/api/trends?tag='],
  ['21 tags', `/api/trends?${Array.from({ length: 21 }, (_, i) => `tag=t${i}`).join('&')}`],
  ['a 201-character tag', `/api/trends?tag=${'a'.repeat(201)}`],
  ['an unknown parameter', '/api/trends?tag=seruen&colour=red'],
  ['a scalar given twice', '/api/trends?tag=seruen&interval=day&interval=hour'],
  ['year 275760', '/api/trends?tag=seruen&from=275760-09-13T00:00:00Z'],
  ['minute buckets over ten years', '/api/trends?tag=seruen&interval=minute&from=2016-01-01&to=2026-01-01'],
  ['a negative size', '/api/search?size=-1'],
  ['a size of 10^9', '/api/search?size=1000000000'],
  ['a fractional size', '/api/search?size=2.5'],
  ['a size that is not a number', '/api/search?size=NaN'],
  ['a cursor that is not one', '/api/search?search_after=not-a-cursor'],
  ['a cursor of base64 JSON of the wrong shape', `/api/search?search_after=${Buffer.from('{"a":[1,2,{"$gt":""}]}').toString('base64url')}`],
  ['a cursor of base64 garbage', `/api/search?search_after=${Buffer.from([0xff, 0x00, 0xfe, 0x80]).toString('base64url')}`],
  ['co-occurrence without a tag', '/api/cooccurrence'],
  ['an unknown sort', '/api/cooccurrence?tag=seruen&sort=random'],
  ['min_count 0', '/api/cooccurrence?tag=seruen&min_count=0'],
  ['a limit of 10^6', '/api/cooccurrence?tag=seruen&limit=1000000'],
  ['an unknown family', '/api/trends?family=no-such-family'],
  ['an unknown classifier version', '/api/abuse?tag=seruen&classifier='],
  ['export with a bad bom', '/api/export/trends.csv?tag=seruen&bom=perhaps'],
  ['invalid percent-encoding', '/api/trends?tag=%E0%A4%A'],
  ['percent-encoded invalid UTF-8', '/api/trends?tag=%ff%fe'],
  ['a percent-encoded NUL', '/api/trends?tag=ser%00uen'],
];

/**
 * Exports whose parameters pass the schema but that the query refuses: the refusal must come before any byte of
 * the CSV, as a 4xx with its message, not as a 200 cut short.
 */
const BAD_EXPORTS: Array<[string, string]> = [
  ['a trends export without a tag', '/api/export/trends.csv'],
  ['an abuse export of an unknown family', '/api/export/abuse.csv?family=no-such-family'],
  ['a co-occurrence export from after to', '/api/export/cooccurrence.csv?tag=seruen&from=2026-03-09&to=2026-03-08'],
  ['a posts export of an unknown family', '/api/export/posts.csv?family=no-such-family'],
  ['a posts export on 30 February', '/api/export/posts.csv?tag=seruen&from=2026-02-30'],
];

/** Search text that a query parser would choke on, or act on: it must be searched as text, or refused. */
const QUERY_SYNTAX = [
  '"unbalanced quote',
  'tag:(a OR',
  '*:*',
  'text:[* TO *]',
  '/regex[unclosed/',
  'a AND OR NOT b',
  '\\',
  'a~100000',
  'field:value^1e309',
  '((((((((((((((((((((((((((((((',
  '{"query":{"match_all":{}}}',
  '_exists_:author.id',
  'script:doc["x"].value',
  '*',
  '?',
  '&&||!(){}[]^"~*?:\\/',
  'x'.repeat(500),
];

describe('the HTTP API under hostile requests', () => {
  it.each(BAD_PARAMS)('refuses %s with a 4xx and a message', async (what, path) => {
    const answer = await get(path);
    if (answer.status === 200) return; // accepted and answered: not an error path (e.g. a NUL searched as text)
    expectRefusal(answer, what);
  });

  it.each([
    ['a parameter on a route that takes none', '/api/health?verbose=1'],
    ['a key in the URL of an open route', '/api/openapi.json?api_key=0123456789abcdef01234567'],
  ])('refuses %s with a 4xx and a message', async (what, path) => {
    expectRefusal(await get(path, null), what);
  });

  it.each(BAD_EXPORTS)('refuses %s with a 4xx and a message before any CSV', async (what, path) => {
    const answer = await get(path);
    expectRefusal(answer, what);
  });

  it.each(QUERY_SYNTAX.map((q) => [q]))('searches %j as text or refuses it, never a 500', async (q) => {
    const answer = await get(`/api/search?q=${encodeURIComponent(q)}`);
    if (answer.status !== 200) expectRefusal(answer, `q=${q}`);
    else expect(JSON.parse(answer.body)).toHaveProperty('rows');
  });

  it('refuses search text over 500 characters with a 400 naming the field', async () => {
    const answer = await get(`/api/search?q=${'x'.repeat(501)}`);
    expectRefusal(answer, '501-character q');
    expect(JSON.parse(answer.body).field).toBe('q');
  });

  it('answers unknown paths, wrong methods and bad keys with a 4xx and a message', async () => {
    expectRefusal(await get('/api/nothing-here'), 'unknown path');
    expectRefusal(await get('/api/../../etc/passwd'), 'path traversal');
    expectRefusal(await get('/api/%2e%2e/%2e%2e/etc/passwd'), 'encoded path traversal');
    expectRefusal(await get('/api/trends?tag=seruen', null, { method: 'POST', body: 'x'.repeat(1024) }), 'POST');
    expectRefusal(await get('/api/trends?tag=seruen', null, { method: 'DELETE' }), 'DELETE');
    expectRefusal(await get('/api/search?q=a', 'not-a-key'), 'a wrong key');
    expectRefusal(await get('/api/search?q=a', null), 'no key for a researcher endpoint');
    expectRefusal(await get('/api/search?q=a', null, { headers: { authorization: 'Basic Zm9vOmJhcg==' } }), 'a Basic authorization');
    expectRefusal(await get('/api/admin/keys', TEST_KEYS.public), 'a public key on an admin endpoint');
  });

  it('refuses a 100 KB query string with a 4xx and a message', async () => {
    expectRefusal(await get(`/api/trends?tag=${'a'.repeat(100_000)}`), '100 KB query string');
    await stillServing();
  });

  it('refuses 100 KB of headers with a 4xx and a message', async () => {
    expectRefusal(await raw(`GET /api/trends?tag=seruen HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\nConnection: close\r\n\r\n`), '100 KB of headers');
    await stillServing();
  });

  it('refuses a 10 MB request body with a 4xx and a message', async () => {
    const answer = await raw(
      Buffer.concat([
        Buffer.from(`POST /api/trends HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${10 * 2 ** 20}\r\nConnection: close\r\n\r\n`),
        Buffer.alloc(10 * 2 ** 20, 0x7b),
      ]),
    );
    expectRefusal(answer, '10 MB body');
    await stillServing();
  });

  it.each([
    ['a garbage request line', 'HELLO WORLD\r\n\r\n'],
    ['a bad HTTP version', 'GET /api/health HTTP/9.9\r\nHost: x\r\n\r\n'],
    ['a NUL in the path', 'GET /api/tre\0nds HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    ['a header without a colon', 'GET /api/health HTTP/1.1\r\nHost: x\r\nBroken header\r\nConnection: close\r\n\r\n'],
    ['a negative content length', 'POST /api/trends HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\nConnection: close\r\n\r\n'],
  ])('answers malformed HTTP (%s) with a 4xx and a message, and goes on serving', async (what, request) => {
    expectRefusal(await raw(request), what);
    await stillServing();
  });

  it('is still serving after all of it', async () => {
    await stillServing();
    const answer = await get('/api/trends?tag=seruen');
    expect(answer.status, answer.body).toBe(200);
  });
});
