import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport, type ImportProgress } from '../../../ingest/imports/run.js';
import { writeGenericJsonl } from '../../fixtures/imports/generate.js';
import { collectingSink, fixture } from './support.js';

let dir: string;
let big: string;
const clock = () => new Date('2024-06-01T12:00:00.000Z');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tagpulse-import-run-'));
  big = join(dir, 'big.jsonl');
  await writeGenericJsonl(big, 2000);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('import runner', () => {
  it('sends envelopes in batches of 500 and reports progress up to the last byte', async () => {
    const sink = collectingSink();
    const progress: ImportProgress[] = [];
    const summary = await runImport({ format: 'generic-jsonl', files: [big], sink, now: clock, onProgress: (p) => progress.push(p) });
    expect(sink.batches.map((batch) => batch.length)).toEqual([500, 500, 500, 500]);
    expect(summary).toEqual({
      format: 'generic-jsonl',
      files: 1,
      bytes: (await stat(big)).size,
      read: 2000,
      sent: 2000,
      skipped: {},
      rejected: {},
      elapsedMs: 0,
    });
    expect(progress.length).toBeGreaterThanOrEqual(Math.floor(2000 / 256));
    expect(progress.at(-1)).toMatchObject({ file: big, fileIndex: 0, files: 1, items: 2000, bytesRead: summary.bytes, totalBytes: summary.bytes });
    expect(progress.map((p) => p.bytesRead)).toEqual([...progress.map((p) => p.bytesRead)].sort((a, b) => a - b));
  });

  it('sums several files: read, sent, skipped and rejected by reason, with dead letters to the sink', async () => {
    const sink = collectingSink();
    const files = [fixture('telegram-chat.json'), fixture('telegram-account.json')];
    const summary = await runImport({ format: 'telegram-desktop', files, sink, now: clock, batchSize: 2 });
    expect(summary).toMatchObject({
      files: 2,
      read: 13,
      sent: 7,
      skipped: { 'service-message': 2, 'unsupported-message': 1 },
      rejected: { schema: 3 },
    });
    expect(sink.batches.map((batch) => batch.length)).toEqual([2, 2, 2, 1]);
    expect(sink.letters).toHaveLength(3);
    expect(sink.letters.every((letter) => letter.at === '2024-06-01T12:00:00.000Z' && letter.stage === 'import:telegram-desktop')).toBe(true);
  });

  it('is deterministic: the same file imported twice sends identical envelopes', async () => {
    const first = collectingSink();
    const second = collectingSink();
    await runImport({ format: 'generic-jsonl', files: [big], sink: first });
    await runImport({ format: 'generic-jsonl', files: [big], sink: second });
    expect(second.batches).toEqual(first.batches);
  });

  it('refuses an unknown format and a missing file before sending anything', async () => {
    const sink = collectingSink();
    await expect(runImport({ format: 'facebook', files: [big], sink })).rejects.toThrow(/unknown import format "facebook"; formats: telegram-desktop, zeeschuimer/);
    await expect(runImport({ format: 'generic-jsonl', files: [big, join(dir, 'missing.jsonl')], sink })).rejects.toThrow(/ENOENT/);
    expect(sink.batches).toEqual([]);
  });

  it('stops with the sink\'s error, after the batches it acknowledged', async () => {
    const sink = collectingSink();
    let sends = 0;
    const failing = {
      ...sink,
      async send(envelopes: Parameters<typeof sink.send>[0]) {
        if (++sends === 3) throw new Error('broker unavailable');
        await sink.send(envelopes);
      },
    };
    await expect(runImport({ format: 'generic-jsonl', files: [big], sink: failing })).rejects.toThrow('broker unavailable');
    expect(sink.batches).toHaveLength(2);
  });
});
