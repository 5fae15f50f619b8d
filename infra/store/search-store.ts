import { StoreError, type BulkItemResult, type BulkResult, type EngineInfo, type EngineTransport, type SearchResponse } from './store.js';

/** One write in a bulk request: index a whole document under a deterministic id, optionally with an external version. */
export interface IndexOperation {
  index: string;
  id: string;
  document: unknown;
  /** External version: a write carrying a version not above the stored one is refused as stale (so replays never regress a document). */
  version?: number;
}

interface RawBulkResponse {
  took: number;
  items: Array<Record<string, { status: number; error?: { type: string; reason: string } }>>;
}

/**
 * The fields of a bulk answer RawBulkResponse reads (`filter_path`, which both engines take). Not the ids: the
 * answer lists the items in the order of the request's operations.
 */
const BULK_RESPONSE_FIELDS = 'took,items.*.status,items.*.error.type,items.*.error.reason';

/** Engine-neutral operations over an adapter's transport. */
export class SearchStore {
  constructor(
    readonly transport: EngineTransport,
    readonly indexPrefix: string,
  ) {}

  get info(): EngineInfo {
    return this.transport.info;
  }

  /** The alias name of a logical index (`posts` → `tagpulse-posts`). Queries always go through aliases. */
  alias(logical: string): string {
    return `${this.indexPrefix}-${logical}`;
  }

  /** Searches an index or alias; pass `undefined` with a body that names a point in time (`pit`), which carries its own index. */
  search<T, A = Record<string, unknown>>(index: string | undefined, body: unknown): Promise<SearchResponse<T, A>> {
    return this.transport.request('POST', index ? `/${index}/_search` : '/_search', { body });
  }

  /** A search answered as its raw JSON bytes (see EngineTransport.requestBytes), for callers that parse big pages themselves. */
  searchBytes(index: string | undefined, body: unknown): Promise<Buffer> {
    return this.transport.requestBytes('POST', index ? `/${index}/_search` : '/_search', { body });
  }

  async count(index: string, query?: unknown): Promise<number> {
    const body = await this.transport.request<{ count: number }>('POST', `/${index}/_count`, { body: query ? { query } : undefined });
    return body.count;
  }

  async refresh(index: string): Promise<void> {
    await this.transport.request('POST', `/${index}/_refresh`);
  }

  /** True when HEAD on the path answers 2xx (both clients answer a HEAD with body `true` or `false` instead of throwing on 404). */
  async exists(path: string): Promise<boolean> {
    try {
      return (await this.transport.request<boolean>('HEAD', path)) === true;
    } catch (error) {
      if (error instanceof StoreError && error.status === 404) return false;
      throw error;
    }
  }

  async bulk(operations: readonly IndexOperation[]): Promise<BulkResult> {
    if (operations.length === 0) return { took: 0, items: [], failed: [], stale: 0 };
    // Each line as JSON text: both clients pass strings through to the body instead of serialising them again.
    const lines: unknown[] = [];
    for (const op of operations) {
      const version = op.version === undefined ? '' : `,"version":${op.version},"version_type":"external"`;
      lines.push(`{"index":{"_index":${JSON.stringify(op.index)},"_id":${JSON.stringify(op.id)}${version}}}`, op.document);
    }
    // Only what is read below: the whole answer (index, version, shards, sequence numbers of every item) took the
    // sink longer to parse than to send.
    const response = await this.transport.request<RawBulkResponse>('POST', '/_bulk', { bulk: lines, query: { filter_path: BULK_RESPONSE_FIELDS } });
    if (response.items.length !== operations.length) {
      throw new Error(`the engine answered a bulk request of ${operations.length} operations with ${response.items.length} items`);
    }
    const items: BulkItemResult[] = response.items.map((entry, i) => {
      const result = Object.values(entry)[0]!;
      return { id: operations[i]!.id, status: result.status, error: result.error };
    });
    // A version conflict under external versioning: the engine has a newer version of the document already.
    const stale = (i: BulkItemResult) => i.status === 409 && i.error?.type === 'version_conflict_engine_exception';
    return {
      took: response.took,
      items,
      failed: items.filter((i) => i.status >= 300 && !stale(i)),
      stale: items.filter(stale).length,
    };
  }

  openPointInTime(index: string, keepAlive = '2m'): Promise<string> {
    return this.transport.openPointInTime(index, keepAlive);
  }

  closePointInTime(id: string): Promise<void> {
    return this.transport.closePointInTime(id);
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
