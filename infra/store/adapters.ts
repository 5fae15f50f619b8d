import { Client as OpenSearchClient } from '@opensearch-project/opensearch';
import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import { StoreError, type EngineInfo, type EngineTransport, type HttpMethod } from './store.js';

export interface Credentials {
  username?: string;
  password?: string;
  apiKey?: string;
}

interface TransportLike {
  request(params: Record<string, unknown>, options?: Record<string, unknown>): Promise<{ body: unknown }>;
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

function carrier(transport: TransportLike, options: Record<string, unknown>): EngineTransport['request'] {
  return async (method: HttpMethod, path: string, params = {}) => {
    try {
      const response = await transport.request(
        { method, path, body: params.body, bulkBody: params.bulk, querystring: params.query },
        options,
      );
      return response.body as never;
    } catch (error) {
      throw toStoreError(error);
    }
  };
}

export function openSearchTransport(node: string, info: EngineInfo, credentials: Credentials): EngineTransport {
  const client = new OpenSearchClient({
    node,
    auth: credentials.username ? { username: credentials.username, password: credentials.password ?? '' } : undefined,
  });
  const request = carrier(client.transport as unknown as TransportLike, {});
  return {
    info,
    request,
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

export function elasticsearchTransport(node: string, info: EngineInfo, credentials: Credentials): EngineTransport {
  const client = new ElasticsearchClient({
    node,
    auth: credentials.apiKey
      ? { apiKey: credentials.apiKey }
      : credentials.username
        ? { username: credentials.username, password: credentials.password ?? '' }
        : undefined,
  });
  const request = carrier(client.transport as unknown as TransportLike, { meta: true });
  return {
    info,
    request,
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
