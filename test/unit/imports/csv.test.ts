import { describe, expect, it } from 'vitest';
import { readCsvRecords, readCsvRows, type CsvEvent, type CsvRow } from '../../../ingest/imports/csv.js';

async function* chunked(bytes: Uint8Array, size: number) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function records(input: string | Uint8Array, chunkSize = 1 << 16, max?: number): Promise<CsvEvent[]> {
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  const events: CsvEvent[] = [];
  for await (const event of readCsvRecords(chunked(bytes, chunkSize), max)) events.push(event);
  return events;
}

async function rows(input: string | Uint8Array): Promise<CsvRow[]> {
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  const out: CsvRow[] = [];
  for await (const row of readCsvRows(chunked(bytes, 7))) out.push(row);
  return out;
}

const fields = (events: CsvEvent[]) => events.map((event) => ('record' in event ? event.record.fields : event.malformed.reason));

describe('CSV reader (RFC 4180)', () => {
  it('splits plain fields and records, with or without a final newline', async () => {
    expect(fields(await records('a,b,c\n1,2,3\n'))).toEqual([['a', 'b', 'c'], ['1', '2', '3']]);
    expect(fields(await records('a,b\n1,2'))).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('reads quoted fields with commas, "" escapes and line breaks inside, and empty fields', async () => {
    const input = 'id,body,tags\r\n1,"Сәлем, әлем! ""Көктем""\r\nкелді",\r\n2,"",x\r\n3,,\r\n';
    const events = await records(input);
    expect(fields(events)).toEqual([
      ['id', 'body', 'tags'],
      ['1', 'Сәлем, әлем! "Көктем"\r\nкелді', ''],
      ['2', '', 'x'],
      ['3', '', ''],
    ]);
    const lines = events.map((event) => ('record' in event ? event.record.line : 0));
    expect(lines).toEqual([1, 2, 4, 5]);
  });

  it('gives the same records however the bytes are chunked, even inside a UTF-8 character or a CRLF', async () => {
    const input = '\uFEFFid,text\r\n"1","Қазақ ""тілі""\n🇰🇿"\r\n2,Ұлы дала 👩‍👧\r\n';
    const whole = fields(await records(input));
    expect(whole).toEqual([['id', 'text'], ['1', 'Қазақ "тілі"\n🇰🇿'], ['2', 'Ұлы дала 👩‍👧']]);
    for (const size of [1, 2, 3, 5, 11]) expect(fields(await records(input, size))).toEqual(whole);
  });

  it('drops a UTF-8 BOM at the start, so the first column keeps its name', async () => {
    expect(fields(await records('\uFEFF"id",text\n1,a\n'))).toEqual([['id', 'text'], ['1', 'a']]);
  });

  it('skips blank lines and keeps a quote inside an unquoted field as a character', async () => {
    expect(fields(await records('a,b\n\n1,say "hi"\r\n\r\n'))).toEqual([['a', 'b'], ['1', 'say "hi"']]);
  });

  it('rejects a record with invalid UTF-8 alone, as base64, and reads on', async () => {
    const bytes = Buffer.concat([Buffer.from('a,b\n1,'), Buffer.from([0xd2, 0x28]), Buffer.from('\n2,Ә\n')]);
    const events = await records(bytes);
    expect(fields(events)).toEqual([['a', 'b'], 'encoding', ['2', 'Ә']]);
    const letter = events[1]!;
    if (!('malformed' in letter)) throw new Error('expected a malformed record');
    expect(letter.malformed).toMatchObject({ rawEncoding: 'base64', origin: { line: 2 } });
    expect(Buffer.from(letter.malformed.raw as string, 'base64')).toEqual(Buffer.from([0x31, 0x2c, 0xd2, 0x28]));
  });

  it('rejects text after a closing quote, and a file that ends inside a quoted field', async () => {
    const events = await records('a,b\n"x"y,2\n3,"never closed\n');
    expect(fields(events)).toEqual([['a', 'b'], 'csv', 'csv']);
    expect('malformed' in events[2]! && events[2].malformed.detail).toMatch(/ends inside a quoted field/);
  });

  it('stops at a record larger than the limit instead of holding the rest of the file', async () => {
    const events = await records(`a\n"${'x'.repeat(100)}\nb\n`, 16, 50);
    expect(fields(events)).toEqual([['a'], 'too-large']);
  });

  it('maps rows to the header and rejects rows with the wrong number of fields', async () => {
    const out = await rows('id , text\n1,Сәлем\n2\n3,Әлем\n');
    expect(out.map((row) => ('row' in row ? row.row : row.malformed.reason))).toEqual([
      { id: '1', text: 'Сәлем' },
      'csv',
      { id: '3', text: 'Әлем' },
    ]);
  });

  it('refuses a header that names a column twice', async () => {
    const out = await rows('id,text,id\n1,a,2\n');
    expect(out).toHaveLength(1);
    expect('malformed' in out[0]! && out[0].malformed.detail).toMatch(/column "id" twice/);
  });
});
