/**
 * The one CSV writer: RFC 4180 (comma-separated, CRLF line ends, fields with a comma, quote, CR or LF in double
 * quotes with quotes doubled), UTF-8, with an optional byte-order mark for Excel.
 *
 * Text cells are neutralised against formula injection: a cell that begins with = + - @, a tab or a CR would be
 * run as a formula by Excel, LibreOffice and Google Sheets, so it gets a leading apostrophe (which they show as
 * text and hide). Numbers are written as numbers and never touched, so a negative PMI stays a number; a text
 * cell such as "-5" is still neutralised, since it is not a number column's value.
 */

export type CsvValue = string | number | boolean | null | undefined | readonly string[];

export const UTF8_BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** Lists (tags, categories) go in one cell, separated by this. */
export const LIST_SEPARATOR = ';';

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let text = typeof value === 'string' ? value : value.join(LIST_SEPARATOR);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(values: readonly CsvValue[]): string {
  // A loop rather than map and join: a post export calls this for every row, and the arrays were its garbage.
  let line = values.length > 0 ? csvCell(values[0]) : '';
  for (let i = 1; i < values.length; i++) line += `,${csvCell(values[i])}`;
  return `${line}\r\n`;
}

/** A CSV table's columns: the header names, in order, and how each row gives its cells. */
export interface CsvColumns<Row> {
  header: readonly string[];
  cells(row: Row): readonly CsvValue[];
}

/** The header line (after the BOM if asked for). */
export function csvHeader(columns: CsvColumns<unknown>, bom: boolean): string {
  return `${bom ? UTF8_BOM : ''}${csvLine(columns.header)}`;
}

/** A whole table as text, for the aggregate answers (which are small; posts stream through csvLine). */
export function csvTable<Row>(columns: CsvColumns<Row>, rows: readonly Row[], bom: boolean): string {
  let text = csvHeader(columns as CsvColumns<unknown>, bom);
  for (const row of rows) text += csvLine(columns.cells(row));
  return text;
}

/** Columns that are a row object's own fields, in the order of `names`. */
export function fieldColumns<Row extends object>(names: readonly (keyof Row & string)[]): CsvColumns<Row> {
  return { header: names, cells: (row) => names.map((name) => row[name] as CsvValue) };
}
