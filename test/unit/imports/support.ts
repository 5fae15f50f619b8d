import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { DeadLetter, RawEnvelope } from '../../../schemas/index.js';
import type { EnvelopeSink } from '../../../ingest/sink.js';
import type { ImportContext, ImportEvent, ImportFormat } from '../../../ingest/imports/format.js';
import { readImportFile, type ReadOptions } from '../../../ingest/imports/run.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/imports/', import.meta.url));

export const fixture = (name: string) => join(FIXTURES, name);

/** A fixed `at` for dead letters, so tests compare whole letters. */
export const REJECTED_AT = '2024-06-01T00:00:00.000Z';

export interface Outcome {
  envelopes: RawEnvelope[];
  rejected: DeadLetter[];
  skipped: Record<string, number>;
}

export function tally(events: ImportEvent[]): Outcome {
  const outcome: Outcome = { envelopes: [], rejected: [], skipped: {} };
  for (const event of events) {
    if ('envelope' in event) outcome.envelopes.push(event.envelope);
    else if ('rejected' in event) outcome.rejected.push(event.rejected);
    else outcome.skipped[event.skipped] = (outcome.skipped[event.skipped] ?? 0) + 1;
  }
  return outcome;
}

export async function readFile(format: string, file: string, options: Partial<ReadOptions> = {}): Promise<Outcome> {
  const events: ImportEvent[] = [];
  for await (const event of readImportFile(format, file, { rejectedAt: REJECTED_AT, ...options })) events.push(event);
  return tally(events);
}

export function reasons(letters: DeadLetter[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const letter of letters) counts[letter.reason] = (counts[letter.reason] ?? 0) + 1;
  return counts;
}

/** Feeds bytes to a format's reader in chunks of `chunkSize`, as a stream would deliver them. */
export async function readBytes(
  format: ImportFormat,
  bytes: Uint8Array,
  context: Partial<ImportContext> = {},
  chunkSize = 4096,
): Promise<Outcome> {
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  }
  const events: ImportEvent[] = [];
  const full: ImportContext = {
    format: 'test',
    file: 'memory',
    fileCollectedAt: '2024-05-01T00:00:00.000Z',
    rejectedAt: REJECTED_AT,
    telegramUsernames: new Map(),
    ...context,
  };
  for await (const event of format.read({ chunks: chunks(), context: full })) events.push(event);
  return tally(events);
}

/** A sink that keeps what it is sent, batch by batch, for the runner's tests. */
export function collectingSink(): EnvelopeSink & { batches: RawEnvelope[][]; letters: DeadLetter[] } {
  const batches: RawEnvelope[][] = [];
  const letters: DeadLetter[] = [];
  return {
    batches,
    letters,
    async send(envelopes) {
      batches.push([...envelopes]);
    },
    async deadLetter(received) {
      letters.push(...received);
    },
  };
}

/** Every character Kazakh adds to the Russian alphabet, which an encoding slip would mangle first. */
export const KAZAKH_LETTERS = /[әғқңөұүһіӘҒҚҢӨҰҮҺІ]/u;
