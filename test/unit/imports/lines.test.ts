import { describe, expect, it } from 'vitest';
import { withoutBom } from '../../../ingest/imports/bytes.js';
import { readJsonLines, readLines, type JsonLine } from '../../../ingest/imports/lines.js';

async function* chunked(bytes: Uint8Array, size: number) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function jsonLines(bytes: Uint8Array, size = 1 << 16, max?: number) {
  const out: JsonLine[] = [];
  for await (const line of readJsonLines(chunked(bytes, size), max)) out.push(line);
  return out.map((line) => ('value' in line ? { line: line.line, value: line.value } : { line: line.malformed.origin.line, reason: line.malformed.reason }));
}

describe('line reader', () => {
  it('splits LF and CRLF lines, numbers them, and keeps a last line without newline', async () => {
    const out: string[] = [];
    for await (const line of readLines(chunked(Buffer.from('бір\r\nекі\n\nүш'), 2))) {
      out.push('bytes' in line ? `${line.line}:${line.bytes.toString()}` : 'too large');
    }
    expect(out).toEqual(['1:бір', '2:екі', '3:', '4:үш']);
  });

  it('reads JSON per line whatever the chunking, skipping blank lines', async () => {
    const input = Buffer.from('{"t":"Қазақстан 🇰🇿"}\r\n\n  \n[1,2]\n"ә"');
    const expected = [
      { line: 1, value: { t: 'Қазақстан 🇰🇿' } },
      { line: 4, value: [1, 2] },
      { line: 5, value: 'ә' },
    ];
    for (const size of [1, 3, 64]) expect(await jsonLines(input, size)).toEqual(expected);
  });

  it('classifies bad lines: encoding (invalid UTF-8), json, too-large; and reads on', async () => {
    const input = Buffer.concat([
      Buffer.from('{"ok":1}\n{"t":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}\n{broken\n'),
      Buffer.from(`"${'x'.repeat(200)}"\n{"ok":2}\n`),
    ]);
    expect(await jsonLines(input, 16, 100)).toEqual([
      { line: 1, value: { ok: 1 } },
      { line: 2, reason: 'encoding' },
      { line: 3, reason: 'json' },
      { line: 4, reason: 'too-large' },
      { line: 5, value: { ok: 2 } },
    ]);
  });

  it('drops a byte order mark split over chunks, and keeps bytes that only looked like its start', async () => {
    const collect = async (bytes: number[], size: number) => {
      const out: number[] = [];
      for await (const chunk of withoutBom(chunked(Uint8Array.from(bytes), size))) out.push(...chunk);
      return out;
    };
    expect(await collect([0xef, 0xbb, 0xbf, 0x41], 1)).toEqual([0x41]);
    expect(await collect([0xef, 0xbb, 0x41], 1)).toEqual([0xef, 0xbb, 0x41]);
    expect(await collect([0xef], 1)).toEqual([0xef]);
  });
});
