import { describe, expect, it } from 'vitest';
import { csvCell, csvHeader, csvLine, csvTable, fieldColumns, UTF8_BOM } from '../../../api/csv.js';
import { parseCsv } from '../../support/api.js';

describe('CSV (RFC 4180)', () => {
  it('quotes fields with a comma, quote, CR or LF, doubling quotes, and ends records with CRLF', () => {
    expect(csvLine(['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\rhere'])).toBe('plain,"a,b","say ""hi""","two\nlines","cr\rhere"\r\n');
    expect(parseCsv(csvLine(['a,b', 'say "hi"', 'two\r\nlines']))).toEqual([['a,b', 'say "hi"', 'two\r\nlines']]);
  });

  it('writes Cyrillic and Kazakh letters as UTF-8, with a byte-order mark only when asked', () => {
    const columns = fieldColumns<{ tag: string }>(['tag']);
    expect(csvTable(columns, [{ tag: 'қазаққөктемі' }], false)).toBe('tag\r\nқазаққөктемі\r\n');
    const withBom = csvTable(columns, [{ tag: 'менояндым' }], true);
    expect(Buffer.from(withBom, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(withBom).toBe(`${UTF8_BOM}tag\r\nменояндым\r\n`);
    expect(csvHeader(columns, true)).toBe(`${UTF8_BOM}tag\r\n`);
  });

  it.each(['=HYPERLINK("http://x","y")', '+7 701', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd'])('neutralises a text cell starting like a formula: %j', (text) => {
    const cell = parseCsv(csvLine([text]))[0]![0]!;
    expect(cell).toBe(`'${text}`);
  });

  it('leaves numbers as numbers (a negative PMI stays negative) and empty values empty', () => {
    expect(csvLine([-1.5, 0, 3, null, undefined, Number.NaN, true, false])).toBe('-1.5,0,3,,,,true,false\r\n');
  });

  it('puts lists in one cell separated by semicolons, neutralised as a whole', () => {
    expect(csvCell(['metoo', 'seruen'])).toBe('metoo;seruen');
    expect(csvCell(['=cmd', 'x'])).toBe("'=cmd;x");
  });
});
