import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { DeadLetter, Platform, RawEnvelope } from '../../schemas/index.js';
import type { EnvelopeSink } from '../sink.js';
import type { ImportContext, ImportEvent, ImportFormat } from './format.js';
import { IMPORT_FORMATS, IMPORT_FORMAT_NAMES } from './registry.js';

/** How many envelopes (and, apart, dead letters) go to the sink in one send. */
export const DEFAULT_BATCH_SIZE = 500;

/** Progress is reported every this many items, and at the end of each file. */
const PROGRESS_EVERY_ITEMS = 256;

const READ_CHUNK_BYTES = 256 * 1024;

export interface ImportProgress {
  file: string;
  /** 0-based position of `file` among the run's files. */
  fileIndex: number;
  files: number;
  /** Bytes read so far, over all files, against `totalBytes`: the measure for an ETA. */
  bytesRead: number;
  totalBytes: number;
  items: number;
  elapsedMs: number;
}

export interface ImportSummary {
  format: string;
  files: number;
  bytes: number;
  /** Everything the readers yielded: `sent` plus every skipped and rejected count. */
  read: number;
  /** Envelopes the sink acknowledged. */
  sent: number;
  skipped: Record<string, number>;
  rejected: Record<string, number>;
  elapsedMs: number;
}

export interface ImportRun {
  format: string;
  files: readonly string[];
  sink: EnvelopeSink;
  platform?: Platform;
  telegramUsernames?: ReadonlyMap<string, string>;
  batchSize?: number;
  onProgress?: (progress: ImportProgress) => void;
  /** The clock, for dead letters' `at` and the elapsed time; tests fix it. */
  now?: () => Date;
}

export interface ReadOptions {
  platform?: Platform;
  telegramUsernames?: ReadonlyMap<string, string>;
  /** `at` of the dead letters. */
  rejectedAt: string;
  /** Told the size of every chunk read, for progress. */
  onBytes?: (bytes: number) => void;
}

function formatNamed(name: string): ImportFormat {
  const format = IMPORT_FORMATS[name];
  if (!format) throw new Error(`unknown import format "${name}"; formats: ${IMPORT_FORMAT_NAMES.join(', ')}`);
  return format;
}

/** One file through one format's reader, without a sink: what the runner sends, and what the bench times. */
export async function* readImportFile(formatName: string, file: string, options: ReadOptions): AsyncGenerator<ImportEvent> {
  const format = formatNamed(formatName);
  const info = await stat(file);
  const context: ImportContext = {
    format: formatName,
    file,
    fileCollectedAt: info.mtime.toISOString(),
    rejectedAt: options.rejectedAt,
    platform: options.platform,
    telegramUsernames: options.telegramUsernames ?? new Map(),
  };
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK_BYTES })) {
      options.onBytes?.((chunk as Buffer).length);
      yield chunk as Buffer;
    }
  }
  yield* format.read({ chunks: chunks(), context });
}

function sortedCounts(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Reads the files with the format's reader and sends what they hold to the sink in batches:
 * envelopes with `send`, dead letters with `deadLetter`. Resolves when the sink has acknowledged
 * everything; a sink failure rejects, with what was acknowledged before it already delivered.
 */
export async function runImport(run: ImportRun): Promise<ImportSummary> {
  formatNamed(run.format); // an unknown format fails before any file is opened
  const now = run.now ?? (() => new Date());
  const batchSize = run.batchSize ?? DEFAULT_BATCH_SIZE;
  const started = now();
  const sizes = await Promise.all(run.files.map((file) => stat(file)));
  const totalBytes = sizes.reduce((sum, info) => sum + info.size, 0);

  let read = 0;
  let sent = 0;
  const skipped = new Map<string, number>();
  const rejected = new Map<string, number>();
  let envelopes: RawEnvelope[] = [];
  let letters: DeadLetter[] = [];
  // One batch is sent while the next is read: the broker round trip and the parsing overlap. Never more than
  // one in flight, so batches stay in order and memory stays at two batches.
  let inFlight: Promise<void> = Promise.resolve();
  const sendEnvelopes = async () => {
    if (envelopes.length === 0) return;
    const batch = envelopes;
    envelopes = [];
    await inFlight;
    inFlight = run.sink.send(batch).then((result) => {
      sent += result ? result.sent : batch.length;
      // Envelopes the sink dead-lettered itself (too large for the topic, impossible to serialise).
      for (const [reason, count] of Object.entries(result?.rejected ?? {})) rejected.set(reason, (rejected.get(reason) ?? 0) + count);
    });
    // The failure is raised where inFlight is next awaited; this only keeps it from counting as unhandled meanwhile.
    inFlight.catch(() => {});
  };
  const sendLetters = async () => {
    if (letters.length === 0) return;
    const batch = letters;
    letters = [];
    await run.sink.deadLetter(batch);
  };

  let bytesBefore = 0;
  for (const [fileIndex, file] of run.files.entries()) {
    const info = sizes[fileIndex]!;
    let fileBytes = 0;
    const report = () =>
      run.onProgress?.({
        file,
        fileIndex,
        files: run.files.length,
        bytesRead: bytesBefore + fileBytes,
        totalBytes,
        items: read,
        elapsedMs: now().getTime() - started.getTime(),
      });
    const events = readImportFile(run.format, file, {
      platform: run.platform,
      telegramUsernames: run.telegramUsernames,
      rejectedAt: started.toISOString(),
      onBytes: (bytes) => {
        fileBytes += bytes;
      },
    });
    for await (const event of events) {
      read += 1;
      if ('envelope' in event) {
        envelopes.push(event.envelope);
        if (envelopes.length >= batchSize) await sendEnvelopes();
      } else if ('rejected' in event) {
        rejected.set(event.rejected.reason, (rejected.get(event.rejected.reason) ?? 0) + 1);
        letters.push(event.rejected);
        if (letters.length >= batchSize) await sendLetters();
      } else {
        skipped.set(event.skipped, (skipped.get(event.skipped) ?? 0) + 1);
      }
      if (read % PROGRESS_EVERY_ITEMS === 0) report();
    }
    bytesBefore += info.size;
    fileBytes = 0;
    report();
  }
  await sendEnvelopes();
  await inFlight;
  await sendLetters();

  return {
    format: run.format,
    files: run.files.length,
    bytes: totalBytes,
    read,
    sent,
    skipped: sortedCounts(skipped),
    rejected: sortedCounts(rejected),
    elapsedMs: now().getTime() - started.getTime(),
  };
}
