import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../ingest/framework/clock.js';
import { HttpClient, HttpError, RateLimitError } from '../../../ingest/framework/http.js';
import { waitFor } from '../../../infra/wait.js';
import { createLogger } from '../../../infra/log.js';
import { TestClock } from '../../fakes/clock.js';
import { FakeHttpServer } from '../../fakes/http.js';

let server: FakeHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const quiet = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);

function client(clock: TestClock, options: { timeoutMs?: number; retries?: number } = {}) {
  return new HttpClient({ timeoutMs: options.timeoutMs ?? 5000, retries: options.retries, clock, random: () => 0.5, log: quiet });
}

describe('backoff', () => {
  it('draws a full-jitter wait below an exponential window that stops growing at the cap', () => {
    const policy = { baseMs: 1000, capMs: 60_000 };
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(attempt, policy, () => 0.5))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelay(20, policy, () => 0.999_999)).toBeLessThan(60_000);
    expect(backoffDelay(20, policy, () => 0)).toBe(0);
  });
});

describe('HttpClient', () => {
  it('retries a request that timed out, after a backoff the clock records', async () => {
    server = await FakeHttpServer.start(() => (server!.requests.length === 1 ? { hang: true } : { body: { ok: true } }));
    const clock = new TestClock();
    const response = await client(clock, { timeoutMs: 200 }).request(`${server.baseUrl}/x`);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ ok: true });
    expect(clock.sleeps).toEqual([500]);
  });

  it('hands other 4xx to the caller untouched, without retrying', async () => {
    server = await FakeHttpServer.start(() => ({ status: 404, body: { error: 'Record not found' } }));
    const response = await client(new TestClock()).request(`${server.baseUrl}/x`);
    expect(response.status).toBe(404);
    expect(server.requests).toHaveLength(1);
  });

  it('gives up after its retries on a failing server, naming the status', async () => {
    server = await FakeHttpServer.start(() => ({ status: 503, body: 'Service Unavailable' }));
    const clock = new TestClock();
    const failure = client(clock, { retries: 2 }).request(`${server.baseUrl}/x`);
    await expect(failure).rejects.toBeInstanceOf(HttpError);
    await expect(failure).rejects.toThrow(`503 from ${server.baseUrl}/x after 3 attempts: Service Unavailable`);
    expect(clock.sleeps).toEqual([500, 1000]);
  });

  it('refuses to wait longer than its cap for a rate limit: the run ends and the cursor keeps its place', async () => {
    server = await FakeHttpServer.start(() => ({ status: 429, headers: { 'Retry-After': '3600' }, body: 'slow down' }));
    const clock = new TestClock();
    await expect(client(clock).request(`${server.baseUrl}/x`)).rejects.toBeInstanceOf(RateLimitError);
    expect(clock.sleeps).toEqual([]);
  });

  it('stops at once, without retrying, when the caller aborts', async () => {
    const hanging = await FakeHttpServer.start(() => ({ hang: true }));
    server = hanging;
    const stop = new AbortController();
    const pending = client(new TestClock()).request(`${hanging.baseUrl}/x`, { signal: stop.signal });
    await waitFor('the request to arrive', async () => hanging.requests.length === 1, { timeoutMs: 5000, intervalMs: 10 });
    stop.abort(new Error('SIGINT'));
    await expect(pending).rejects.toThrow('SIGINT');
    expect(hanging.requests).toHaveLength(1);
  });
});
