import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { SearchResponse } from '../infra/store/store.js';
import { csvLine } from './csv.js';
import type { AuthorVisibility } from './queries/context.js';
import { postColumns, postRow, type StoredPost } from './queries/post-rows.js';

/**
 * Turning a post export's pages (the engine's answers, as bytes) into the lines written: JSON parsing, rows and
 * CSV, which is most of an export's CPU time and all of its garbage.
 *
 * It runs in a worker thread with a heap of its own, capped by `resourceLimits` (the documented way to bound a
 * V8 heap from inside a process), so the export's memory stays bounded by that cap rather than by when V8 gets
 * round to a full collection: left alone, a main thread parsing 2 MB pages grew to 300 MB (280-320 MB measured). The parsing also
 * leaves the main thread, which meanwhile fetches the next page and writes the previous one. The worker's
 * module is the compiled .js beside this one; run from TypeScript sources (the tests), where there is none,
 * the pages are formatted on the main thread, the same code a tick after the next page has been asked for.
 */

export type ExportFormat = 'csv' | 'json';

/** Where the next page starts, known as soon as a page is parsed, before it is formatted. */
export interface PageCursor {
  hits: number;
  /** The sort values of the page's last post (search_after for the next page). */
  last: unknown[] | undefined;
  /** Elasticsearch may hand back a new id for the same point in time. */
  pitId: string | undefined;
}

export interface FormattedPage {
  cursor: Promise<PageCursor>;
  /** The page's lines, UTF-8. */
  text: Promise<Buffer>;
}

export interface PageFormatter {
  format(bytes: Buffer): FormattedPage;
  close(): Promise<void>;
}

/**
 * The worker's heap caps. A page is about 3 MB of JSON at most (PAGE_BYTES in posts.ts): as a string twice that
 * when it has Cyrillic (UTF-16), parsed two or three times that, and its lines; twice that fits. Measured on a
 * 500,000-row export, these caps against 64/32: peak RSS 174 MB against 212 MB, at the same speed.
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 40, maxYoungGenerationSizeMb: 8 };

function parsePage(bytes: Uint8Array): SearchResponse<StoredPost> {
  return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as SearchResponse<StoredPost>;
}

function cursorOf(response: SearchResponse<StoredPost>): PageCursor {
  const hits = response.hits.hits;
  return { hits: hits.length, last: hits.at(-1)?.sort, pitId: response.pit_id };
}

function pageText(response: SearchResponse<StoredPost>, authors: AuthorVisibility, format: ExportFormat): Buffer {
  let text = '';
  for (const hit of response.hits.hits) {
    const row = postRow(hit._source, authors);
    text += format === 'csv' ? csvLine(postColumns.cells(row)) : `${JSON.stringify(row)}\n`;
  }
  return Buffer.from(text, 'utf8');
}

/** The bytes as an ArrayBuffer of their own, which can be transferred (a small Buffer shares Node's pool). */
function ownArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return new Uint8Array(bytes).buffer;
}

const WORKER_ROLE = 'tagpulse-export-pages';

interface WorkerSettings {
  role: typeof WORKER_ROLE;
  authors: AuthorVisibility;
  format: ExportFormat;
}

function onMainThread(authors: AuthorVisibility, format: ExportFormat): PageFormatter {
  return {
    format(bytes) {
      const response = parsePage(bytes);
      // Formatted on the next turn, so the caller can ask for the next page first.
      const text = new Promise<Buffer>((resolve, reject) =>
        setImmediate(() => {
          try {
            resolve(pageText(response, authors, format));
          } catch (error) {
            reject(error as Error);
          }
        }),
      );
      text.catch(() => undefined);
      return { cursor: Promise.resolve(cursorOf(response)), text };
    },
    close: async () => undefined,
  };
}

function inWorker(url: URL, authors: AuthorVisibility, format: ExportFormat): PageFormatter {
  const settings: WorkerSettings = { role: WORKER_ROLE, authors, format };
  const worker = new Worker(url, { workerData: settings, resourceLimits: WORKER_LIMITS });
  // Each page gets two answers, in order: its cursor, then its text.
  const waiting: Array<{ resolve(value: unknown): void; reject(error: Error): void }> = [];
  let failure: Error | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  worker.on('message', (message: unknown) => waiting.shift()?.resolve(message));
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the export's page worker stopped (exit code ${code})`)));
  const answer = <T>(): Promise<T> => {
    const promise = failure ? Promise.reject(failure) : new Promise<T>((resolve, reject) => waiting.push({ resolve: resolve as (value: unknown) => void, reject }));
    // A page whose cursor failed is never asked for its text: its rejection must not go unhandled.
    promise.catch(() => undefined);
    return promise;
  };
  return {
    format(bytes) {
      const cursor = answer<PageCursor>();
      const text = answer<ArrayBuffer>().then((buffer) => Buffer.from(buffer));
      text.catch(() => undefined);
      const buffer = ownArrayBuffer(bytes);
      worker.postMessage(buffer, [buffer]);
      return { cursor, text };
    },
    async close() {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}

/** A formatter of export pages: in a worker when running compiled, else on this thread. */
export function formatPages(authors: AuthorVisibility, format: ExportFormat): PageFormatter {
  const url = new URL(import.meta.url);
  return url.pathname.endsWith('.js') ? inWorker(url, authors, format) : onMainThread(authors, format);
}

const settings = workerData as Partial<WorkerSettings> | undefined;
if (!isMainThread && parentPort && settings?.role === WORKER_ROLE) {
  const port = parentPort;
  const { authors, format } = settings as WorkerSettings;
  port.on('message', (buffer: ArrayBuffer) => {
    const response = parsePage(new Uint8Array(buffer));
    port.postMessage(cursorOf(response));
    const text = ownArrayBuffer(pageText(response, authors, format));
    port.postMessage(text, [text]);
  });
}
