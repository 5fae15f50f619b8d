import { statSync } from 'node:fs';
import { loadConfig } from '../../infra/config.js';
import { kafkaUnreachable } from '../../infra/kafka/client.js';
import { openKafkaSink } from '../../ingest/kafka-sink.js';
import { IMPORT_FORMATS, IMPORT_FORMAT_NAMES } from '../../ingest/imports/registry.js';
import { runImport, type ImportProgress, type ImportSummary } from '../../ingest/imports/run.js';
import { Platform } from '../../schemas/index.js';
import { choice, UsageError, UserFacingError, type Command } from '../command.js';
import { progressReporter } from '../progress.js';

const BAR_WIDTH = 24;

const formatWidth = Math.max(...IMPORT_FORMAT_NAMES.map((name) => name.length));
const takingPlatform = IMPORT_FORMAT_NAMES.filter((name) => IMPORT_FORMATS[name]!.takesPlatform);

const count = (n: number) => n.toLocaleString('en-US');

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** Rate from items, ETA from bytes: items vary in size, the remaining bytes are known exactly. */
function measures(progress: ImportProgress) {
  const fraction = progress.totalBytes > 0 ? Math.min(1, progress.bytesRead / progress.totalBytes) : 1;
  const seconds = progress.elapsedMs / 1000;
  const rate = seconds > 0 ? progress.items / seconds : 0;
  const remainingMs =
    progress.bytesRead > 0 ? (progress.elapsedMs * (progress.totalBytes - progress.bytesRead)) / progress.bytesRead : 0;
  return { fraction, rate, eta: duration(Math.max(0, remainingMs)) };
}

/** One redrawable line: `[#####-----]  45%  file 1/2  12,345 items  3,210/s  ETA 0:42`. */
export function progressBar(progress: ImportProgress): string {
  const { fraction, rate, eta } = measures(progress);
  const filled = Math.round(fraction * BAR_WIDTH);
  return (
    `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%` +
    `  file ${progress.fileIndex + 1}/${progress.files}  ${count(progress.items)} items` +
    `  ${count(Math.round(rate))}/s  ETA ${eta}`
  );
}

/** The same facts as a log line, for when stderr is a file or a pipe. */
export function progressLine(progress: ImportProgress): string {
  const { fraction, rate, eta } = measures(progress);
  return (
    `import: ${Math.floor(fraction * 100)}% of ${megabytes(progress.totalBytes)}, ` +
    `file ${progress.fileIndex + 1}/${progress.files} (${progress.file}), ${count(progress.items)} items, ` +
    `${count(Math.round(rate))} items/s, ETA ${eta}`
  );
}

/** The closing summary: totals, then skipped and rejected items by reason. */
export function summaryTable(summary: ImportSummary): string {
  const rows: [string, string, number][] = [
    ['read', '', summary.read],
    ['sent', '', summary.sent],
    ...Object.entries(summary.skipped).map(([reason, n]): [string, string, number] => ['skipped', reason, n]),
    ...Object.entries(summary.rejected).map(([reason, n]): [string, string, number] => ['rejected', reason, n]),
  ];
  const reasonWidth = Math.max('reason'.length, ...rows.map(([, reason]) => reason.length));
  const countWidth = Math.max('items'.length, ...rows.map(([, , n]) => count(n).length));
  const line = (outcome: string, reason: string, items: string) =>
    `${outcome.padEnd(8)}  ${reason.padEnd(reasonWidth)}  ${items.padStart(countWidth)}`.trimEnd();
  const files = `${summary.files} file${summary.files === 1 ? '' : 's'}`;
  return [
    `import ${summary.format}: ${files}, ${megabytes(summary.bytes)} in ${(summary.elapsedMs / 1000).toFixed(1)} s`,
    line('outcome', 'reason', 'items'),
    ...rows.map(([outcome, reason, n]) => line(outcome, reason, count(n))),
  ].join('\n');
}

function telegramUsernames(values: string[], format: string): Map<string, string> {
  if (values.length > 0 && format !== 'telegram-desktop') {
    throw new UsageError('--telegram-username applies only to --format telegram-desktop');
  }
  const usernames = new Map<string, string>();
  for (const value of values) {
    const match = /^(\d+)=@?([A-Za-z0-9_]{4,32})$/.exec(value);
    if (!match) throw new UsageError(`--telegram-username takes CHAT_ID=USERNAME, such as 1234567890=qazaqkoktemi (got "${value}")`);
    usernames.set(match[1]!, match[2]!);
  }
  return usernames;
}

function checkFiles(files: string[]): void {
  if (files.length === 0) throw new UsageError('name at least one FILE to import; see `tagpulse import --help`');
  for (const file of files) {
    let isFile: boolean;
    try {
      isFile = statSync(file).isFile();
    } catch (error) {
      throw new UserFacingError(`cannot import ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
    if (!isFile) throw new UserFacingError(`cannot import ${file}: not a regular file`);
  }
}

export const importCommand: Command = {
  path: ['import'],
  summary: 'Import exports of other tools (Telegram Desktop, Zeeschuimer, twarc2, 4CAT, generic) into the pipeline',
  help: `Usage: tagpulse import --format FORMAT [--platform PLATFORM] [--telegram-username CHAT_ID=USERNAME]... [--json] FILE...

Reads each FILE with the reader of FORMAT and sends raw envelopes to Kafka (<prefix>.posts.raw) in batches
of 500. An item that cannot be read becomes a dead letter (<prefix>.deadletter) and never stops its file.
Importing the same file twice yields identical envelopes, which the pipeline deduplicates.

FORMAT is one of:
${IMPORT_FORMAT_NAMES.map((name) => `  ${name.padEnd(formatWidth)}  ${IMPORT_FORMATS[name]!.summary}`).join('\n')}

Options:
  --platform PLATFORM    for ${takingPlatform.join(', ')}: the platform of the rows (4CAT files
                         do not say; generic rows may say for themselves). Default: generic. One of:
                         ${Platform.options.join(', ')}.
  --telegram-username CHAT_ID=USERNAME
                         for telegram-desktop: the public username of a chat (exports do not hold it),
                         so its messages get t.me links. Repeatable.
  --json                 print the closing summary as JSON on stdout instead of a table.

Progress goes to stderr: a bar on a terminal, a line every few seconds otherwise.
Column reference for the generic formats, and what each reader takes from each format: docs/imports.md.
`,
  options: {
    format: { type: 'string' },
    platform: { type: 'string' },
    'telegram-username': { type: 'string', multiple: true },
    json: { type: 'boolean' },
  },
  positionals: true,
  async run({ values, positionals, io }) {
    if (values.format === undefined) {
      throw new UsageError(`--format is required; one of ${IMPORT_FORMAT_NAMES.join(', ')}`);
    }
    const format = choice('format', values.format, IMPORT_FORMAT_NAMES, IMPORT_FORMAT_NAMES[0]!);
    const platform = values.platform === undefined ? undefined : choice('platform', values.platform, Platform.options, 'generic');
    if (platform !== undefined && !IMPORT_FORMATS[format]!.takesPlatform) {
      throw new UsageError(`--platform applies only to ${takingPlatform.join(', ')}`);
    }
    const usernames = telegramUsernames((values['telegram-username'] as string[] | undefined) ?? [], format);
    checkFiles(positionals);

    const config = loadConfig(values.config as string | undefined);
    let sink: Awaited<ReturnType<typeof openKafkaSink>>;
    try {
      sink = await openKafkaSink(config);
    } catch (error) {
      throw kafkaUnreachable(config.kafka, error);
    }
    const progress = progressReporter(io, progressBar, progressLine);
    let summary: ImportSummary;
    try {
      summary = await runImport({
        format,
        files: positionals,
        sink,
        platform,
        telegramUsernames: usernames,
        onProgress: (p) => progress.update(p),
      });
    } catch (error) {
      // Envelopes acknowledged before the failure are in Kafka; importing the file again is safe (deduplicated).
      if ((error as Error).name.startsWith('KafkaJS')) {
        throw new UserFacingError(`import stopped, Kafka refused a batch: ${(error as Error).message}; run it again to finish`);
      }
      throw error;
    } finally {
      progress.finish();
      await sink.close();
    }
    io.stdout.write(values.json ? `${JSON.stringify(summary, null, 2)}\n` : `${summaryTable(summary)}\n`);
  },
};
