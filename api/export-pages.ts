import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { searchHitRanges } from '../infra/store/search-hits.js';
import type { SearchHit } from '../infra/store/store.js';
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
 * The worker's heap caps. Hits are parsed one at a time and each line goes into the page's buffer as soon as it is
 * made, so next to nothing outlives the young generation: the old generation's cap is there for the largest post
 * the topics take (16 MiB), whose text is a string twice that size when it has Cyrillic. A 19.8 MB post exported
 * with this cap, and failed with 16 MB.
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 40, maxYoungGenerationSizeMb: 8 };

/** A page's answer, its hits still unparsed (see searchHitRanges). */
interface Page {
  bytes: Buffer;
  hits: Array<[number, number]>;
  pitId: string | undefined;
}

function readPage(bytes: Uint8Array): Page {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { hits, rest } = searchHitRanges(buffer);
  return { bytes: buffer, hits, pitId: (JSON.parse(rest) as { pit_id?: string }).pit_id };
}

function hitAt(page: Page, [start, end]: [number, number]): SearchHit<StoredPost> {
  return JSON.parse(page.bytes.toString('utf8', start, end)) as SearchHit<StoredPost>;
}

function cursorOf(page: Page): PageCursor {
  const last = page.hits.at(-1);
  return { hits: page.hits.length, last: last && hitAt(page, last).sort, pitId: page.pitId };
}

/**
 * The page's lines, each written into the buffer as soon as it is made, so that no line outlives its hit: a
 * page's lines kept as one string until the end were promoted, and collecting them was a third of the time.
 */
function pageText(page: Page, authors: AuthorVisibility, format: ExportFormat): Buffer {
  // A row is shorter than its hit's JSON, which is the first guess at the size; the buffer doubles if not. Never
  // from Node's shared pool (allocUnsafeSlow): the worker hands the whole ArrayBuffer over.
  let text = Buffer.allocUnsafeSlow(Math.max(page.bytes.length, 1024));
  let length = 0;
  for (const range of page.hits) {
    const row = postRow(hitAt(page, range)._source, authors);
    const line = format === 'csv' ? csvLine(postColumns.cells(row)) : `${JSON.stringify(row)}\n`;
    while (text.length - length < Buffer.byteLength(line)) {
      const larger = Buffer.allocUnsafeSlow(text.length * 2);
      text.copy(larger, 0, 0, length);
      text = larger;
    }
    length += text.write(line, length);
  }
  return text.subarray(0, length);
}

/** The bytes as an ArrayBuffer of their own, which can be transferred (a small Buffer shares Node's pool). */
function ownArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return new Uint8Array(bytes).buffer;
}

/** A page's lines as the worker hands them over: the first `length` bytes of `buffer`. */
interface PageText {
  buffer: ArrayBuffer;
  length: number;
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
      const page = readPage(bytes);
      // Formatted on the next turn, so the caller can ask for the next page first.
      const text = new Promise<Buffer>((resolve, reject) =>
        setImmediate(() => {
          try {
            resolve(pageText(page, authors, format));
          } catch (error) {
            reject(error as Error);
          }
        }),
      );
      text.catch(() => undefined);
      return { cursor: Promise.resolve(cursorOf(page)), text };
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
      const text = answer<PageText>().then(({ buffer, length }) => Buffer.from(buffer, 0, length));
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
    const page = readPage(new Uint8Array(buffer));
    port.postMessage(cursorOf(page));
    const text = pageText(page, authors, format);
    const answer: PageText = { buffer: text.buffer as ArrayBuffer, length: text.length };
    port.postMessage(answer, [answer.buffer]);
  });
}
