/**
 * The one search-store seam. Everything above it (mappings, queries, aggregations, the sink) is written once,
 * engine-neutral, as REST JSON bodies; the two adapters (OpenSearch, Elasticsearch 8) only carry requests and
 * hide the few endpoints that differ (point in time).
 */

export type EngineName = 'opensearch' | 'elasticsearch';

export interface EngineInfo {
  engine: EngineName;
  version: string;
  clusterName?: string;
}

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';

/** A request the engine refused or failed, with its status and the engine's own error type and reason. */
export class StoreError extends Error {
  override name = 'StoreError';
  constructor(
    readonly status: number,
    readonly type: string,
    readonly reason: string,
  ) {
    super(`search engine answered ${status} ${type}: ${reason}`);
  }
}

export interface RequestOptions {
  body?: unknown;
  bulk?: unknown[];
  query?: Record<string, string | number | boolean>;
}

/** What an adapter implements: carrying requests, and the point-in-time endpoints whose paths differ per engine. */
export interface EngineTransport {
  readonly info: EngineInfo;
  /** Sends one REST request; resolves with the parsed body of a 2xx answer, rejects with StoreError otherwise. */
  request<T = unknown>(method: HttpMethod, path: string, options?: RequestOptions): Promise<T>;
  /**
   * As `request`, but resolves with the 2xx answer's bytes as they came, unparsed: for big answers (export pages)
   * parsed elsewhere, in one piece, without the client's per-chunk decoding and guarded parse.
   */
  requestBytes(method: HttpMethod, path: string, options?: RequestOptions): Promise<Buffer>;
  openPointInTime(index: string, keepAlive: string): Promise<string>;
  closePointInTime(id: string): Promise<void>;
  close(): Promise<void>;
}

export interface BulkItemResult {
  id: string;
  status: number;
  error?: { type: string; reason: string };
}

export interface BulkResult {
  took: number;
  items: BulkItemResult[];
  /** Items that failed, excluding version conflicts (a stale write losing to a newer one is success here). */
  failed: BulkItemResult[];
  /** Items refused because a newer version was already stored (external versioning). */
  stale: number;
}

export interface SearchHit<T> {
  _id: string;
  _index: string;
  _source: T;
  sort?: unknown[];
}

export interface SearchResponse<T = unknown, A = Record<string, unknown>> {
  took: number;
  hits: { total: { value: number; relation: string }; hits: SearchHit<T>[] };
  aggregations?: A;
  pit_id?: string;
}
