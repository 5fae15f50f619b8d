import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface FakeRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeResponse {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as it is; anything else as JSON. */
  body?: unknown;
  /** Never answer (until the server closes): for timeouts. */
  hang?: boolean;
}

export type FakeHandler = (request: FakeRequest) => FakeResponse | Promise<FakeResponse>;

interface Interception {
  match: (request: FakeRequest) => boolean;
  respond: FakeHandler;
  remaining: number;
}

/**
 * A local HTTP server (127.0.0.1, a free port) that every platform fake is built on: it records each request,
 * answers through the platform's handler, and lets a test replace the next answers to matching requests
 * (a 429, a 500, a failure from page k on) without the platform fake knowing about it.
 */
export class FakeHttpServer {
  readonly requests: FakeRequest[] = [];
  private readonly interceptions: Interception[] = [];
  private sockets: WebSocketServer | undefined;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {}

  static async start(handler: FakeHandler): Promise<FakeHttpServer> {
    let fake!: FakeHttpServer;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request: FakeRequest = {
          method: req.method ?? 'GET',
          url: new URL(req.url ?? '/', fake.baseUrl),
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        fake.requests.push(request);
        Promise.resolve(fake.answer(request, handler)).then(
          (response) => {
            if (response.hang) return;
            const json = typeof response.body !== 'string';
            res.writeHead(response.status ?? 200, {
              'content-type': json ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
              ...response.headers,
            });
            res.end(json ? JSON.stringify(response.body ?? null) : response.body);
          },
          (error: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`fake failed: ${(error as Error).message}`);
          },
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake = new FakeHttpServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return fake;
  }

  /** Answers the next `times` requests that `match` with `respond` instead of the platform's handler. */
  intercept(match: (request: FakeRequest) => boolean, respond: FakeHandler, times = 1): void {
    this.interceptions.push({ match, respond, remaining: times });
  }

  clearInterceptions(): void {
    this.interceptions.length = 0;
  }

  /** The requests made to one path. */
  requestsTo(pathname: string): FakeRequest[] {
    return this.requests.filter((r) => r.url.pathname === pathname);
  }

  /** Accepts WebSocket upgrades on the same server (a streaming API beside the REST one), recording each as a request. */
  acceptWebSockets(onConnection: (socket: WebSocket, request: FakeRequest) => void): void {
    this.sockets = new WebSocketServer({ server: this.server });
    this.sockets.on('connection', (socket, req) => {
      const request: FakeRequest = { method: 'GET', url: new URL(req.url ?? '/', this.baseUrl), headers: req.headers, body: '' };
      this.requests.push(request);
      onConnection(socket, request);
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets?.clients ?? []) socket.terminate();
    this.sockets?.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(request: FakeRequest, handler: FakeHandler): FakeResponse | Promise<FakeResponse> {
    const interception = this.interceptions.find((i) => i.remaining > 0 && i.match(request));
    if (!interception) return handler(request);
    interception.remaining -= 1;
    return interception.respond(request);
  }
}

/** What every platform fake shares: its server, its address, closing, and its platform's answer (`respond`). */
export abstract class PlatformFake {
  constructor(readonly server: FakeHttpServer) {}

  get baseUrl(): string {
    return this.server.baseUrl;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /** The platform's answer, for tests that wrap it in an interception. */
  abstract respond(request: FakeRequest): FakeResponse | Promise<FakeResponse>;
}

/** Starts a platform fake on a new server that answers through the fake's own `respond`. */
export async function startFake<F extends PlatformFake>(make: (server: FakeHttpServer) => F): Promise<F> {
  let fake: F | undefined;
  fake = make(await FakeHttpServer.start((request) => fake!.respond(request)));
  return fake;
}
