import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { z } from 'zod';
import type { Role } from '../schemas/index.js';
import { createLogger } from '../infra/log.js';
import { StoreError } from '../infra/store/store.js';
import { authenticate, refuseKeyInUrl, roleAllows, type ApiKey, type Principal } from './auth.js';
import { ApiError, badParameter } from './errors.js';
import { parseParams, paramsFromQuery } from './params.js';
import type { RateLimiter } from './rate-limit.js';

const log = createLogger('api');

/** What a handler answers: a JSON body, or a body it writes itself (exports stream, GEXF). */
export type Reply =
  | { status: number; body: unknown }
  | { status: number; contentType: string; filename?: string; write(out: ServerResponse): Promise<void> };

export interface RouteRequest {
  /** The query parameters, validated by the route's schema (empty without one). */
  params: Record<string, unknown>;
  /** The caller; undefined on open routes. */
  principal: Principal | undefined;
}

export interface Route {
  method: 'GET';
  path: string;
  summary: string;
  /** The least role that may call it; open routes (health, the OpenAPI document) need no key. */
  role: Role | 'open';
  params?: z.ZodObject;
  /** What a 200 carries, for the OpenAPI document: a JSON schema, or another media type. */
  answer: { schema: z.ZodType } | { contentType: string; description: string };
  handle(request: RouteRequest): Promise<Reply>;
}

/**
 * Serves what is not under /api/ (a web page, its assets): true when it answered. Without one, such paths are 404s
 * like any unknown path.
 */
export type StaticHandler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

export interface Access {
  keys: readonly ApiKey[];
  anonymous: boolean;
  limiter: RateLimiter;
  /** Requests and rate-limit refusals per caller name, for the admin endpoint. */
  usage: Map<string, { requests: number; rejected: number }>;
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function count(access: Access, principal: Principal, rejected: boolean): void {
  const usage = access.usage.get(principal.name) ?? { requests: 0, rejected: 0 };
  usage.requests++;
  if (rejected) usage.rejected++;
  access.usage.set(principal.name, usage);
}

/** Who may call the route, or why not: 401 (no or bad key), 403 (role too low), 429 (rate limit). */
function admit(route: Route, access: Access, request: IncomingMessage, url: URL): Principal | undefined {
  if (route.role === 'open') {
    refuseKeyInUrl(url);
    return undefined;
  }
  const address = request.socket.remoteAddress ?? 'unknown';
  let principal: Principal;
  try {
    principal = authenticate(access.keys, access.anonymous, request.headers, url, address);
  } catch (error) {
    // A refused key costs its address a token too, so that keys cannot be guessed at the server's full speed.
    if (error instanceof ApiError && error.status === 401) {
      const wait = access.limiter.take(`refused@${address}`);
      if (wait > 0) throw overLimit(access, `refused keys from ${address}`, wait);
    }
    throw error;
  }
  if (!roleAllows(principal.role, route.role)) {
    throw new ApiError(
      403,
      principal.name === 'anonymous'
        ? `${route.path} needs an API key with the ${route.role} role or higher; requests without a key have the public role (aggregates only)`
        : `${route.path} needs the ${route.role} role or higher; the key "${principal.name}" has the ${principal.role} role`,
    );
  }
  const wait = access.limiter.take(principal.bucket);
  count(access, principal, wait > 0);
  if (wait > 0) throw overLimit(access, principal.name, wait);
  return principal;
}

function overLimit(access: Access, caller: string, wait: number): ApiError {
  return new ApiError(429, `rate limit of ${access.limiter.describe()} reached for ${caller}; retry in ${wait} s`, undefined, { 'retry-after': String(wait) });
}

function failure(error: unknown, path: string): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof StoreError) {
    log.error('search engine refused a query', { path, status: error.status, type: error.type, reason: error.reason });
    return new ApiError(502, `the search engine could not answer (${error.type}); the server log has the details`);
  }
  log.error('request failed', { path, error });
  const unreachable = (error as NodeJS.ErrnoException)?.code === 'ECONNREFUSED' || (error as Error)?.name === 'ConnectionError';
  return unreachable ? new ApiError(503, 'the search engine is not reachable; try again shortly') : new ApiError(500, 'internal error; the server log has the details');
}

/** A route without parameters refuses any, rather than ignoring a misspelt one unseen. */
function noParameters(route: Route, url: URL): Record<string, never> {
  const [name] = url.searchParams.keys();
  if (name !== undefined) throw badParameter(name, `unknown parameter; ${route.path} takes none`);
  return {};
}

async function answer(route: Route, access: Access, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  const principal = admit(route, access, request, url);
  const params = route.params ? parseParams(route.params, paramsFromQuery(route.params, url.searchParams)) : noParameters(route, url);
  const reply = await route.handle({ params, principal });
  if ('body' in reply) {
    sendJson(response, reply.status, reply.body);
    return;
  }
  // Implicit headers: they go out with the first byte of the body, so a query that fails before writing any (a
  // parameter only the query can judge, such as an unknown family) still gets its 4xx with a message.
  response.statusCode = reply.status;
  response.setHeader('content-type', reply.contentType);
  if (reply.filename) response.setHeader('content-disposition', `attachment; filename="${reply.filename}"`);
  await reply.write(response);
  response.end();
}

/**
 * The HTTP server behind `tagpulse serve` and `npm start`: a route table under /api/, a hook for static pages
 * elsewhere, JSON errors that say what is wrong, and never a crash on a bad request.
 */
export function createApiServer(routes: readonly Route[], access: Access, statics?: StaticHandler): Server {
  const endpoints = routes.map((r) => `${r.method} ${r.path}`);
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const route = routes.find((r) => r.path === url.pathname);
    const run = async () => {
      if (!route) {
        if (!url.pathname.startsWith('/api/') && statics && (await statics(request, response))) return;
        sendJson(response, 404, { error: `no such endpoint ${url.pathname}`, endpoints });
        return;
      }
      if (route.method !== request.method) {
        sendJson(response, 405, { error: `${url.pathname} takes ${route.method}, not ${request.method}` }, { allow: route.method });
        return;
      }
      await answer(route, access, request, response, url);
    };
    run().catch((error: unknown) => {
      const refusal = failure(error, url.pathname);
      if (response.headersSent) {
        // A stream already under way cannot change its status: cut it, so the client sees an incomplete body.
        response.destroy(refusal);
        return;
      }
      for (const name of response.getHeaderNames()) response.removeHeader(name); // the stream's, never sent
      sendJson(response, refusal.status, { error: refusal.message, ...(refusal.field ? { field: refusal.field } : {}) }, refusal.headers);
    });
  });
  server.on('clientError', answerClientError);
  return server;
}

/**
 * What Node's parser could not read, in words: a request too large or malformed to reach a route. The codes are
 * llhttp's (`error.code` of the 'clientError' event).
 */
function clientRefusal(error: NodeJS.ErrnoException): { status: number; message: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, message: 'the request line and headers are too large (the limit is 16 KB in all): send a shorter URL or fewer headers' };
    case 'HPE_INVALID_METHOD':
      return { status: 400, message: 'malformed HTTP request: unknown method (the API takes GET)' };
    case 'HPE_INVALID_VERSION':
      return { status: 400, message: 'malformed HTTP request: unsupported HTTP version (send HTTP/1.1)' };
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return { status: 400, message: 'malformed HTTP request: invalid Content-Length' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
    case 'HPE_INVALID_CHUNK_SIZE':
      return { status: 400, message: 'malformed HTTP request: invalid chunked body' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, message: 'the request took too long to arrive: send it again' };
    default:
      return { status: 400, message: `malformed HTTP request${error.code ? ` (${error.code})` : ''}: ${error.message}`.slice(0, 300) };
  }
}

/**
 * Requests Node's HTTP parser refuses before any route sees them (malformed request line or headers, headers over
 * the size limit, a bad Content-Length): the API's JSON error body with a 4xx, when the socket can still be
 * written to, then the connection closes. A reset or broken connection (ECONNRESET, EPIPE) just closes.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || !socket.writable || socket.writableEnded) {
    socket.destroy();
    return;
  }
  const { status, message } = clientRefusal(error);
  const text = JSON.stringify({ error: message });
  const reason = STATUS_CODES[status] ?? 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
  // A client that never closes its side does not keep the socket: it goes in a few seconds whatever happens.
  setTimeout(() => socket.destroy(), 5_000).unref();
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
