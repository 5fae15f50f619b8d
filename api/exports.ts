import { once } from 'node:events';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import type { z } from 'zod';
import { ExportParams, type ExportKind } from '../schemas/index.js';
import { csvHeader } from './csv.js';
import type { ExportFormat } from './export-pages.js';
import { formatAnswer } from './format.js';
import type { QueryContext } from './queries/context.js';
import { QUERIES } from './queries/index.js';
import { countPosts, exportPostLines, postColumns } from './queries/posts.js';

export type { ExportFormat } from './export-pages.js';

export interface ExportProgress {
  rows: number;
  /** Rows the export will write, when known up front (posts). */
  total: number | undefined;
  elapsedMs: number;
}

/** Writes text, waiting when the stream's buffer is full, so a slow reader (a client, a disk) bounds memory. */
async function write(out: Writable, text: string | Buffer): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/** The extension of an export's file in a format: posts in JSON are JSON Lines, one post a line. */
export function exportExtension(kind: ExportKind, format: ExportFormat): string {
  return format === 'csv' ? 'csv' : kind === 'posts' ? 'jsonl' : 'json';
}

/**
 * Runs an export into a stream: aggregates as their whole answer (small), posts streamed page by page from a
 * point in time (constant memory, however many millions). The one path behind `tagpulse export`,
 * `/api/export/…` and scheduled reports. Returns the rows written.
 */
export async function writeExport<K extends ExportKind>(
  context: QueryContext,
  kind: K,
  params: z.output<(typeof ExportParams)[K]>,
  out: Writable,
  format: ExportFormat,
  onProgress?: (progress: ExportProgress) => void,
): Promise<number> {
  const started = Date.now();
  if (kind !== 'posts') {
    const query = QUERIES[kind as Exclude<ExportKind, 'posts'>] as (typeof QUERIES)['trends'];
    const answer = await query.run(context, params as z.output<(typeof ExportParams)['trends']>);
    await write(out, formatAnswer(query, answer, format, params.bom));
    onProgress?.({ rows: answer.rows.length, total: answer.rows.length, elapsedMs: Date.now() - started });
    return answer.rows.length;
  }
  const postParams = params as z.output<(typeof ExportParams)['posts']>;
  const total = onProgress ? await countPosts(context, postParams) : undefined;
  // The CSV header goes out with the first page, once the query has been accepted: a refused parameter then
  // reaches an HTTP client as a 4xx with its message, not as a 200 cut after the header.
  let header = format === 'csv' ? csvHeader(postColumns, postParams.bom) : '';
  let rows = 0;
  // Each page is written before the one after it is taken, and a full stream buffer is waited out ('drain'): a
  // slow reader holds the export back rather than letting pages pile up in memory.
  for await (const page of exportPostLines(context, postParams, format)) {
    if (header !== '') await write(out, header);
    header = '';
    await write(out, page.text);
    rows += page.rows;
    onProgress?.({ rows, total, elapsedMs: Date.now() - started });
  }
  if (header !== '') await write(out, header);
  return rows;
}

/**
 * Writes a file so that it appears whole or not at all: into a hidden `.partial` file beside it, flushed to disk,
 * then renamed over the target (rename is atomic within a folder). A failed or killed run leaves no file that
 * looks complete.
 */
export async function writeFileAtomically<T>(path: string, produce: (out: Writable) => Promise<T>): Promise<T> {
  const partial = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
  // Opened here so a folder without write permission fails before any query runs. The stream owns the handle:
  // `flush` syncs the data to disk before the stream closes it, so the rename never publishes a file whose bytes
  // are still only in the page cache.
  const handle = await open(partial, 'w');
  const out = handle.createWriteStream({ highWaterMark: 1 << 20, flush: true });
  try {
    const result = await produce(out);
    out.end();
    await once(out, 'close');
    await rename(partial, path);
    return result;
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true });
    throw error;
  }
}
