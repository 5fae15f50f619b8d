import { describe, expect, it } from 'vitest';
import { bySize, fitDeadLetter, nestsDeeperThan, previewJson, serialise } from '../../../ingest/wire.js';
import { DeadLetter } from '../../../schemas/index.js';

/** A value nested `depth` arrays deep, built without recursion. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('serialising messages one by one', () => {
  it('measures nesting without recursing', () => {
    expect(nestsDeeperThan({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [{ b: {} }] }, 3)).toBe(true);
    expect(nestsDeeperThan(nested(100_000))).toBe(true);
  });

  it('answers too-deep, too-large or the JSON', () => {
    expect(serialise(nested(100_000), 1000)).toMatchObject({ reason: 'too-deep' });
    expect(serialise({ text: 'x'.repeat(2000) }, 1000)).toMatchObject({ reason: 'too-large' });
    expect(serialise({ a: 1 }, 1000)).toEqual({ value: '{"a":1}', bytes: 7 });
  });

  it('fits a dead letter whose raw copy is too large or too deep, and says so', () => {
    const letter = (raw: unknown): DeadLetter => ({ schema: 'tagpulse.deadletter/1', stage: 'import:x', reason: 'too-large', detail: 'big', at: '2026-01-01T00:00:00.000Z', origin: {}, raw, rawEncoding: 'json' });
    for (const raw of [{ text: 'Ә'.repeat(200_000) }, nested(100_000)]) {
      const text = fitDeadLetter(letter(raw), 100_000);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(100_000);
      const parsed = DeadLetter.parse(JSON.parse(text));
      expect(parsed.rawEncoding).toBe('utf8');
      expect(parsed.detail).toMatch(/truncated/);
    }
    expect(previewJson(nested(10), 1000, 3)).toBe('[[["…"]]]');
  });

  it('splits messages so that no group is over the limit, a big one alone', () => {
    const m = (n: number) => ({ key: 'k', value: 'x'.repeat(n) });
    const groups = [...bySize([m(100), m(100), m(900), m(100)], 400)].map((g) => g.map((x) => x.value.length));
    expect(groups).toEqual([[100, 100], [900], [100]]);
  });
});
