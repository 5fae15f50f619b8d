import { StoreError, type EngineInfo, type EngineTransport, type HttpMethod, type RequestOptions } from './store.js';

export interface Credentials {
  username?: string;
  password?: string;
  apiKey?: string;
}

interface TransportLike {
  request(params: Record<string, unknown>, options?: Record<string, unknown>): Promise<{ body: unknown; statusCode?: number }>;
}

/** Both clients throw a ResponseError carrying `meta.statusCode` and `meta.body` ({error:{type,reason}}). */
function toStoreError(error: unknown): Error {
  const meta = (error as { meta?: { statusCode?: number; body?: unknown } }).meta;
  if (!meta?.statusCode) return error as Error;
  const body = meta.body as { error?: { type?: string; reason?: string } | string } | undefined;
  const detail = typeof body?.error === 'object' ? body.error : undefined;
  return new StoreError(
    meta.statusCode,
    detail?.type ?? 'http_error',
    detail?.reason ?? (typeof body?.error === 'string' ? body.error : JSON.stringify(meta.body ?? '')),
  );
}

/** The two ways of carrying a request over a client's transport: parsed by the client, or as raw bytes. */
function carrier(transport: TransportLike, options: Record<string, unknown>): Pick<EngineTransport, 'request' | 'requestBytes'> {
  const send = async (method: HttpMethod, path: string, params: RequestOptions, extra: Record<string, unknown>) => {
    try {
      return await transport.request({ method, path, body: params.body, bulkBody: params.bulk, querystring: params.query }, { ...options, ...extra });
    } catch (error) {
      throw toStoreError(error);
    }
  };
  return {
    request: async (method, path, params = {}) => (await send(method, path, params, {})).body as never,
    async requestBytes(method, path, params = {}) {
      // As a stream, both clients hand the answer over whatever its status: the status is checked here.
      const response = await send(method, path, params, { asStream: true });
      const chunks: Buffer[] = [];
      for await (const chunk of response.body as AsyncIterable<Buffer>) chunks.push(chunk);
      const bytes = Buffer.concat(chunks);
      const status = response.statusCode ?? 200;
      if (status < 300) return bytes;
      let body: unknown = bytes.toString('utf8');
      try {
        body = JSON.parse(body as string);
      } catch {
        // Not JSON (a proxy's page, say): the text itself is the reason.
      }
      throw toStoreError({ meta: { statusCode: status, body } });
    },
  };
}

// Each adapter loads its engine's client when it is made: a process talks to one engine, and each client is
// tens of megabytes and a few hundred milliseconds of loading (measured: Elasticsearch's 30 MB, 350 ms).

export async function openSearchTransport(node: string, info: EngineInfo, credentials: Credentials): Promise<EngineTransport> {
  const { Client: OpenSearchClient } = await import('@opensearch-project/opensearch');
  const client = new OpenSearchClient({
    node,
    auth: credentials.username ? { username: credentials.username, password: credentials.password ?? '' } : undefined,
  });
  const { request, requestBytes } = carrier(client.transport as unknown as TransportLike, {});
  return {
    info,
    request,
    requestBytes,
    async openPointInTime(index, keepAlive) {
      const body = await request<{ pit_id: string }>('POST', `/${index}/_search/point_in_time`, { query: { keep_alive: keepAlive } });
      return body.pit_id;
    },
    async closePointInTime(id) {
      await request('DELETE', '/_search/point_in_time', { body: { pit_id: [id] } });
    },
    close: () => client.close(),
  };
}

export async function elasticsearchTransport(node: string, info: EngineInfo, credentials: Credentials): Promise<EngineTransport> {
  const { Client: ElasticsearchClient } = await import('@elastic/elasticsearch');
  const client = new ElasticsearchClient({
    node,
    auth: credentials.apiKey
      ? { apiKey: credentials.apiKey }
      : credentials.username
        ? { username: credentials.username, password: credentials.password ?? '' }
        : undefined,
  });
  const { request, requestBytes } = carrier(client.transport as unknown as TransportLike, { meta: true });
  return {
    info,
    request,
    requestBytes,
    async openPointInTime(index, keepAlive) {
      const body = await request<{ id: string }>('POST', `/${index}/_pit`, { query: { keep_alive: keepAlive } });
      return body.id;
    },
    async closePointInTime(id) {
      await request('DELETE', '/_pit', { body: { id } });
    },
    close: () => client.close(),
  };
}
