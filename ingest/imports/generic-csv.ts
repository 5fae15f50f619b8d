import { nonEmptyCells, readCsvRows } from './csv.js';
import { reject } from './envelope.js';
import type { ImportFormat } from './format.js';
import { readGenericItem } from './generic-item.js';

/** A CSV row in the generic format's terms: `text` may be empty, `tags` is one cell separated by `;` or `,`. */
function fromCsvRow(row: Record<string, string>): Record<string, unknown> {
  const { tags, ...cells } = nonEmptyCells(row, ['text']);
  return tags === undefined ? cells : { ...cells, tags: tags.split(/[;,]/) };
}

/** Tagpulse's generic format as CSV with a header row naming the columns of docs/imports.md. */
export const genericCsv: ImportFormat = {
  summary: 'CSV in Tagpulse\'s generic format (docs/imports.md)',
  takesPlatform: true,
  async *read({ chunks, context }) {
    for await (const entry of readCsvRows(chunks)) {
      if ('malformed' in entry) yield reject(context, entry.malformed);
      else yield readGenericItem(context, fromCsvRow(entry.row), { line: entry.line }, entry.row);
    }
  },
};
