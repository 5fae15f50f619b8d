import { DEFAULT_MAX_RECORD_BYTES, decodeUtf8, PendingBytes, withoutBom } from './bytes.js';
import type { Rejection } from './envelope.js';

/**
 * A streaming RFC 4180 CSV reader: comma-separated fields, double-quoted fields that may hold commas,
 * newlines and `""` for a quote, LF or CRLF between records, an optional UTF-8 BOM. It works on bytes
 * (the separators are ASCII, so they never occur inside a multi-byte UTF-8 sequence) and decodes each
 * record with a fatal decoder, so one record with invalid UTF-8 is rejected alone.
 * Leniency, as spreadsheet exports need it: a quote inside an unquoted field is a literal character,
 * and blank lines are ignored.
 */

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** Just read a quote inside a quoted field: either the closing quote or the first half of `""`. */
const QUOTE_IN_QUOTED = 3;

interface FieldSpan {
  start: number;
  end: number;
  quoted: boolean;
}

export interface CsvRecord {
  fields: string[];
  /** Line on which the record starts (a quoted field may span lines). */
  line: number;
  /** The record as written, for dead letters. */
  text: string;
}

export type CsvEvent = { record: CsvRecord } | { malformed: Rejection };

/** The byte-level state machine; `feed` and `end` return the records each chunk completes. */
class CsvSplitter {
  private state = FIELD_START;
  private readonly pending = new PendingBytes();
  /** Content bytes of the current record so far; a CR that may end the line is not counted until known. */
  private size = 0;
  private fieldStart = 0;
  private spans: FieldSpan[] = [];
  private problem: string | undefined;
  private deferredCr = false;
  private line = 1;
  private recordLine = 1;
  private stopped = false;

  constructor(private readonly maxRecordBytes: number) {}

  feed(chunk: Uint8Array): CsvEvent[] {
    const events: CsvEvent[] = [];
    if (this.stopped) return events;
    let recordStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (this.deferredCr) {
        this.deferredCr = false;
        if (byte === LF) {
          this.endRecord(chunk.subarray(recordStart, i), events);
          recordStart = i + 1;
          continue;
        }
        this.consume(CR);
      }
      if (this.state !== QUOTED && byte === LF) {
        this.endRecord(chunk.subarray(recordStart, i), events);
        recordStart = i + 1;
      } else if (this.state !== QUOTED && byte === CR) {
        this.deferredCr = true;
      } else {
        if (byte === LF) this.line += 1;
        this.consume(byte);
      }
    }
    this.pending.add(chunk.subarray(recordStart));
    if (this.pending.length > this.maxRecordBytes) {
      // Past this size the quote state is surely wrong (an unbalanced quote), so nothing after it can be trusted.
      events.push(this.fail('too-large', `record is longer than ${this.maxRecordBytes} bytes; is a quote unbalanced?`));
    }
    return events;
  }

  end(): CsvEvent[] {
    const events: CsvEvent[] = [];
    if (this.stopped) return events;
    this.deferredCr = false;
    if (this.state === QUOTED) {
      events.push(this.fail('csv', 'the file ends inside a quoted field'));
    } else {
      this.endRecord(new Uint8Array(0), events);
    }
    return events;
  }

  private consume(byte: number): void {
    switch (this.state) {
      case FIELD_START:
        if (byte === QUOTE) this.state = QUOTED;
        else if (byte === COMMA) this.closeField(false);
        else this.state = UNQUOTED;
        break;
      case UNQUOTED:
        if (byte === COMMA) this.closeField(false);
        break;
      case QUOTED:
        if (byte === QUOTE) this.state = QUOTE_IN_QUOTED;
        break;
      case QUOTE_IN_QUOTED:
        if (byte === QUOTE) this.state = QUOTED;
        else if (byte === COMMA) this.closeField(true);
        else {
          this.problem ??= `text after the closing quote of field ${this.spans.length + 1}`;
          this.state = UNQUOTED;
        }
        break;
    }
    this.size += 1;
  }

  private closeField(quoted: boolean): void {
    this.spans.push({ start: this.fieldStart, end: this.size, quoted });
    this.fieldStart = this.size + 1;
    this.state = FIELD_START;
  }

  private endRecord(tail: Uint8Array, events: CsvEvent[]): void {
    const quoted = this.state === QUOTE_IN_QUOTED;
    const spans = [...this.spans, { start: this.fieldStart, end: this.size, quoted }];
    const bytes = this.pending.take(tail).subarray(0, this.size);
    const line = this.recordLine;
    const problem = this.problem;
    this.state = FIELD_START;
    this.size = 0;
    this.fieldStart = 0;
    this.spans = [];
    this.problem = undefined;
    this.line += 1;
    this.recordLine = this.line;
    if (bytes.length === 0) return;

    const text = decodeUtf8(bytes);
    if (text === undefined) {
      const raw = bytes.toString('base64');
      events.push({ malformed: { reason: 'encoding', detail: 'record is not valid UTF-8', origin: { line }, raw, rawEncoding: 'base64' } });
    } else if (problem) {
      events.push({ malformed: { reason: 'csv', detail: problem, origin: { line }, raw: text, rawEncoding: 'utf8' } });
    } else {
      const fields = spans.map((span) =>
        span.quoted
          ? bytes.toString('utf8', span.start + 1, span.end - 1).replaceAll('""', '"')
          : bytes.toString('utf8', span.start, span.end),
      );
      events.push({ record: { fields, line, text } });
    }
  }

  private fail(reason: string, detail: string): CsvEvent {
    this.stopped = true;
    this.pending.clear();
    return { malformed: { reason, detail, origin: { line: this.recordLine }, raw: null } };
  }
}

export async function* readCsvRecords(
  chunks: AsyncIterable<Uint8Array>,
  maxRecordBytes = DEFAULT_MAX_RECORD_BYTES,
): AsyncGenerator<CsvEvent> {
  const splitter = new CsvSplitter(maxRecordBytes);
  for await (const chunk of withoutBom(chunks)) yield* splitter.feed(chunk);
  yield* splitter.end();
}

export type CsvRow = { row: Record<string, string>; line: number; text: string } | { malformed: Rejection };

/**
 * Rows as objects keyed by the header (the first record). A row whose field count differs from the
 * header's is malformed: its values cannot be matched to columns.
 */
export async function* readCsvRows(
  chunks: AsyncIterable<Uint8Array>,
  maxRecordBytes = DEFAULT_MAX_RECORD_BYTES,
): AsyncGenerator<CsvRow> {
  let header: string[] | undefined;
  for await (const event of readCsvRecords(chunks, maxRecordBytes)) {
    if ('malformed' in event) {
      yield event;
      if (!header) return;
      continue;
    }
    const { fields, line, text } = event.record;
    if (!header) {
      header = fields.map((name) => name.trim());
      const duplicate = header.find((name, i) => header!.indexOf(name) !== i);
      if (duplicate !== undefined) {
        yield { malformed: { reason: 'csv', detail: `the header names column "${duplicate}" twice`, origin: { line }, raw: text, rawEncoding: 'utf8' } };
        return;
      }
      continue;
    }
    if (fields.length !== header.length) {
      yield {
        malformed: {
          reason: 'csv',
          detail: `row has ${fields.length} fields, the header has ${header.length}`,
          origin: { line },
          raw: text,
          rawEncoding: 'utf8',
        },
      };
      continue;
    }
    const row: Record<string, string> = {};
    header.forEach((name, i) => {
      row[name] = fields[i]!;
    });
    yield { row, line, text };
  }
}

/**
 * A row without its blank cells: spreadsheets cannot write null, so an empty cell means absent.
 * Columns in `keep` stay even when empty, for fields where empty is a value (a post without text).
 */
export function nonEmptyCells(row: Record<string, string>, keep: readonly string[] = []): Record<string, string> {
  const cells: Record<string, string> = {};
  for (const [column, cell] of Object.entries(row)) {
    if (cell.trim() !== '' || keep.includes(column)) cells[column] = cell;
  }
  return cells;
}
