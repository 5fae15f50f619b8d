import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ExportProgress } from '../../api/exports.js';
import { optionsOf } from '../../api/params.js';
import { ExportParams, EXPORT_KINDS, type ExportKind } from '../../schemas/index.js';
import { choice, UsageError, UserFacingError, type Command } from '../command.js';
import { progressReporter } from '../progress.js';
import { optionsHelp, paramsOf, withQueryContext } from './query.js';

const BAR_WIDTH = 24;
const count = (n: number) => n.toLocaleString('en-US');

/** `[######------]  45%  450,000 / 1,000,000 rows  81,230/s  ETA 0:07`, or without a total just rows and rate. */
export function exportProgressLine({ rows, total, elapsedMs }: ExportProgress): string {
  const rate = elapsedMs > 0 ? (rows * 1000) / elapsedMs : 0;
  if (!total) return `${count(rows)} rows  ${count(Math.round(rate))}/s`;
  const fraction = Math.min(1, rows / total);
  const filled = Math.round(fraction * BAR_WIDTH);
  const eta = rate > 0 ? Math.round((total - rows) / rate) : 0;
  return (
    `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%` +
    `  ${count(rows)} / ${count(total)} rows  ${count(Math.round(rate))}/s  ETA ${Math.floor(eta / 60)}:${String(eta % 60).padStart(2, '0')}`
  );
}

/** Every export kind's options together (parseArgs needs one table); each kind then refuses options not its own. */
const ALL_OPTIONS = Object.assign({}, ...EXPORT_KINDS.map((kind) => optionsOf(ExportParams[kind])));

export const exportCommand: Command = {
  path: ['export'],
  summary: 'Export posts, trends, co-occurrence or abuse to a CSV (or JSON) file',
  help: `Usage: tagpulse export posts|trends|cooccurrence|abuse --out FILE [--format csv|json] [options of the kind]

Writes the export to FILE atomically: into a hidden .partial file beside it, renamed into place when complete,
so an interrupted export leaves no half file. CSV is RFC 4180, UTF-8, with --bom for Excel; text cells that a
spreadsheet would run as a formula are neutralised. Posts are streamed from a point in time, oldest first, in
constant memory, with a progress bar on stderr; json writes posts as JSON Lines and aggregates as the API's answer.
The columns of each kind: docs/api.md#csv-columns.

Options of every kind:
  --out FILE         where to write (required)
  --format FORMAT    csv (default) or json

${EXPORT_KINDS.map((kind) => `Options of ${kind}:\n${optionsHelp(ExportParams[kind])}`).join('\n\n')}
`,
  // --bom is a switch here as in the query commands, not the API's bom=true|false.
  options: { ...ALL_OPTIONS, bom: { type: 'boolean' }, out: { type: 'string' }, format: { type: 'string' } },
  positionals: true,
  async run({ values, positionals, io }) {
    if (positionals.length !== 1) throw new UsageError(`name one export: ${EXPORT_KINDS.join(', ')} (got ${positionals.length === 0 ? 'none' : positionals.join(' ')})`);
    const kind = positionals[0] as ExportKind;
    if (!EXPORT_KINDS.includes(kind)) throw new UsageError(`the export must be one of ${EXPORT_KINDS.join(', ')} (got ${JSON.stringify(positionals[0])})`);
    const format = choice('format', values.format, ['csv', 'json'] as const, 'csv');
    if (typeof values.out !== 'string' || values.out === '') throw new UsageError('--out FILE is required: the file to write');
    const out = resolve(values.out);
    if (!existsSync(dirname(out)) || !statSync(dirname(out)).isDirectory()) {
      throw new UserFacingError(`cannot write ${out}: the folder ${dirname(out)} does not exist`);
    }
    const params = paramsOf(ExportParams[kind], values, ['out', 'format', 'config', 'help']);
    const progress = progressReporter(io, exportProgressLine, (p: ExportProgress) => `export: ${exportProgressLine(p)}`);
    const { writeExport, writeFileAtomically } = await import('../../api/exports.js');
    const started = Date.now();
    const rows = await withQueryContext(values.config as string | undefined, (context) =>
      writeFileAtomically(out, (stream) => writeExport(context, kind, params as never, stream, format, kind === 'posts' ? (p) => progress.update(p) : undefined)),
    ).finally(() => progress.finish());
    const seconds = (Date.now() - started) / 1000;
    io.stderr.write(`export ${kind}: ${count(rows)} rows to ${out} in ${seconds.toFixed(1)} s\n`);
  },
};
