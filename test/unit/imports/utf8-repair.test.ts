import { describe, expect, it } from 'vitest';
import { Utf8Repairer } from '../../../ingest/imports/utf8-repair.js';

function repairInChunks(bytes: Buffer, size: number) {
  const repairer = new Utf8Repairer();
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(Buffer.from(repairer.push(bytes.subarray(i, i + size))));
  const left = repairer.end();
  return { out: Buffer.concat(out), repairs: repairer.takeUpTo(Number.POSITIVE_INFINITY), left };
}

describe('Utf8Repairer', () => {
  it('passes valid UTF-8 through unchanged, however chunked', () => {
    const text = Buffer.from('Қазақ 🇰🇿 тілі \uFFFD ok');
    for (const size of [1, 2, 3, 5, text.length]) expect(repairInChunks(text, size)).toEqual({ out: text, repairs: [], left: 0 });
  });

  it('replaces each ill-formed sequence with U+FFFD and records where it was in the input and the output', () => {
    // A lone continuation byte, an overlong 2-byte form, a surrogate (ed a0 80), a 3-byte lead cut short, 0xff.
    const input = Buffer.concat([Buffer.from('a'), Buffer.from([0x80]), Buffer.from('b'), Buffer.from([0xc0, 0xaf]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xe2, 0x82]), Buffer.from('c'), Buffer.from([0xff]), Buffer.from('ә')]);
    const expected = repairInChunks(input, input.length);
    expect(expected.out.toString('utf8')).toBe(new TextDecoder().decode(input));
    expect(expected.repairs[0]).toEqual({ at: 1, from: 1, length: 1 });
    expect(expected.repairs.find((r) => r.from === 8)).toEqual({ at: expect.any(Number), from: 8, length: 2 });
    for (const r of expected.repairs) expect(expected.out.subarray(r.at, r.at + 3)).toEqual(Buffer.from('\uFFFD'));
    for (const size of [1, 2, 3, 4]) expect(repairInChunks(input, size)).toEqual(expected);
  });

  it('reports a file ending inside a character', () => {
    expect(repairInChunks(Buffer.from([0x61, 0xe2, 0x82]), 1).left).toBe(2);
  });
});
