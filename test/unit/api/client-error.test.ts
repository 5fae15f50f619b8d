import { connect, type AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimiter } from '../../../api/rate-limit.js';
import { createApiServer } from '../../../api/server.js';

/** Requests Node's HTTP parser refuses before any route: a 4xx with the API's JSON error body, then the server goes on. */
let server: Server;
let port: number;

beforeAll(async () => {
  server = createApiServer([], { keys: [], anonymous: true, limiter: {} as RateLimiter, usage: new Map() });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function raw(request: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', (error) => (text ? done() : reject(error)));
    socket.on('close', done);
    socket.end(request);
    function done() {
      resolve({ status: Number(text.match(/^HTTP\/1\.1 (\d{3})/)?.[1] ?? 0), body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    }
  });
}

describe('clientError', () => {
  it.each([
    ['a garbage request line', 'HELLO WORLD\r\n\r\n', 400],
    ['a bad HTTP version', 'GET /api/health HTTP/9.9\r\nHost: x\r\n\r\n', 400],
    ['a NUL in the path', 'GET /api/tre\0nds HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400],
    ['a header without a colon', 'GET /api/health HTTP/1.1\r\nHost: x\r\nBroken header\r\nConnection: close\r\n\r\n', 400],
    ['a negative content length', 'POST /api/trends HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\nConnection: close\r\n\r\n', 400],
    ['100 KB of headers', `GET /api/trends HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\nConnection: close\r\n\r\n`, 431],
    ['a 100 KB URL', `GET /api/trends?tag=${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 431],
  ])('answers %s with a %i and a JSON message', async (_what, request, status) => {
    const answer = await raw(request);
    expect(answer.status, answer.body).toBe(status);
    const body = JSON.parse(answer.body) as { error: string };
    expect(body.error.length).toBeGreaterThan(5);
    // And goes on serving.
    const after = await raw('GET /api/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(after.status).toBe(404);
  });
});
