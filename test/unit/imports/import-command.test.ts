import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { importCommand, progressBar, progressLine, summaryTable } from '../../../cli/commands/import.js';
import { UsageError, UserFacingError } from '../../../cli/command.js';
import { IMPORT_FORMAT_NAMES } from '../../../ingest/imports/registry.js';
import { fixture } from './support.js';

const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() };
const run = (values: Record<string, string | boolean | string[] | undefined>, positionals: string[] = []) =>
  importCommand.run({ values, positionals, io });

describe('tagpulse import: arguments', () => {
  it('lists every format in --help', () => {
    for (const name of IMPORT_FORMAT_NAMES) expect(importCommand.help).toContain(`  ${name} `);
  });

  it('requires a known --format and names the allowed ones', async () => {
    await expect(run({}, [fixture('generic.jsonl')])).rejects.toThrow(new UsageError(`--format is required; one of ${IMPORT_FORMAT_NAMES.join(', ')}`));
    await expect(run({ format: 'csv' }, [fixture('generic.jsonl')])).rejects.toThrow(/--format must be one of telegram-desktop, zeeschuimer, twarc2, 4cat, generic-jsonl, generic-csv/);
  });

  it('takes --platform only where it means something, and only a known platform', async () => {
    await expect(run({ format: 'twarc2', platform: 'x' }, [fixture('twarc2-flat.jsonl')])).rejects.toThrow(/--platform applies only to 4cat, generic-jsonl, generic-csv/);
    await expect(run({ format: '4cat', platform: 'facebook' }, [fixture('4cat.csv')])).rejects.toThrow(/--platform must be one of mastodon, bluesky/);
  });

  it('checks --telegram-username', async () => {
    await expect(run({ format: 'telegram-desktop', 'telegram-username': ['qazaqkoktemi'] }, [fixture('telegram-chat.json')])).rejects.toThrow(UsageError);
    await expect(run({ format: 'zeeschuimer', 'telegram-username': ['1=abcd'] }, [fixture('zeeschuimer.ndjson')])).rejects.toThrow(/applies only to --format telegram-desktop/);
  });

  it('needs files that exist', async () => {
    await expect(run({ format: 'generic-jsonl' }, [])).rejects.toThrow(UsageError);
    await expect(run({ format: 'generic-jsonl' }, ['no/such/file.jsonl'])).rejects.toThrow(new UserFacingError('cannot import no/such/file.jsonl: no such file'));
  });
});

describe('tagpulse import: output', () => {
  const progress = { file: 'export.json', fileIndex: 0, files: 2, bytesRead: 25_000_000, totalBytes: 100_000_000, items: 12_345, elapsedMs: 5_000 };

  it('draws a progress bar with rate and an ETA from bytes', () => {
    expect(progressBar(progress)).toBe('[######------------------]  25%  file 1/2  12,345 items  2,469/s  ETA 0:15');
    expect(progressLine(progress)).toBe('import: 25% of 100.0 MB, file 1/2 (export.json), 12,345 items, 2,469 items/s, ETA 0:15');
  });

  it('prints the closing summary as a table', () => {
    const table = summaryTable({
      format: 'telegram-desktop',
      files: 2,
      bytes: 1_234_567,
      read: 12_014,
      sent: 11_000,
      skipped: { 'service-message': 1_010 },
      rejected: { json: 1, schema: 3 },
      elapsedMs: 2_345,
    });
    expect(table).toBe(
      [
        'import telegram-desktop: 2 files, 1.2 MB in 2.3 s',
        'outcome   reason            items',
        'read                       12,014',
        'sent                       11,000',
        'skipped   service-message   1,010',
        'rejected  json                  1',
        'rejected  schema                3',
      ].join('\n'),
    );
  });
});
