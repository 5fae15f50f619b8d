import type { CooccurrenceAnswer } from '../schemas/index.js';
import { csvTable, LIST_SEPARATOR, type CsvColumns, type CsvValue } from './csv.js';
import { cooccurrenceGexf } from './gexf.js';
import type { QueryDefinition } from './queries/index.js';

export const OUTPUT_FORMATS = ['table', 'csv', 'json', 'gexf'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Table cells longer than this are cut (the full text is in csv and json). */
const TABLE_CELL_MAX = 60;

function tableCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = (Array.isArray(value) ? value.join(`${LIST_SEPARATOR} `) : String(value)).replace(/\s+/g, ' ');
  return text.length > TABLE_CELL_MAX ? `${text.slice(0, TABLE_CELL_MAX - 1)}…` : text;
}

/** Aligned columns for a terminal: numbers to the right, everything else to the left. */
export function textTable<Row>(columns: CsvColumns<Row>, rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.cells(row));
  const text = cells.map((values) => values.map(tableCell));
  const widths = columns.header.map((name, i) => Math.max(name.length, ...text.map((line) => line[i]!.length)));
  const numeric = columns.header.map((_, i) => cells.length > 0 && cells.every((values) => typeof values[i] === 'number' || values[i] === null));
  const line = (values: readonly string[]) =>
    values.map((value, i) => (numeric[i] ? value.padStart(widths[i]!) : value.padEnd(widths[i]!))).join('  ').trimEnd();
  return `${[line(columns.header), ...text.map(line)].join('\n')}\n`;
}

/** An answer in the format asked for: the same rows whichever way, so the three agree. */
export function formatAnswer<A extends { rows: unknown[] }>(query: QueryDefinition<never, A>, answer: A, format: OutputFormat, bom = false): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(answer, null, 2)}\n`;
    case 'csv':
      return csvTable(query.columns(answer), answer.rows, bom);
    case 'table':
      return textTable(query.columns(answer), answer.rows);
    case 'gexf':
      if (query.name !== 'cooccurrence') throw new Error(`gexf is a format of cooccurrence only, not of ${query.name}`);
      return cooccurrenceGexf(answer as unknown as CooccurrenceAnswer);
  }
}
