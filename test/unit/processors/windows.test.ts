import { describe, expect, it } from 'vitest';
import { MAX_CHANGELOG_RECORD_BYTES, WindowedStore, type ChangelogRecord } from '../../../processors/runtime/state-store.js';
import { isAheadOfArrival, Watermarks, windowStartOf } from '../../../processors/windows.js';

const MINUTE = 60_000;
const at = (iso: string) => Date.parse(iso);

describe('windowStartOf', () => {
  it('floors an instant to its UTC minute, whatever offset it was written with', () => {
    expect(windowStartOf(at('2026-03-08T10:00:00Z'))).toBe(at('2026-03-08T10:00:00Z'));
    expect(windowStartOf(at('2026-03-08T10:00:59.999Z'))).toBe(at('2026-03-08T10:00:00Z'));
    expect(windowStartOf(at('2026-03-08T15:01:30+05:00'))).toBe(at('2026-03-08T10:01:00Z'));
  });
});

describe('Watermarks', () => {
  const lateness = 10 * MINUTE;

  it('closes a window once its end is the allowed lateness behind the partition watermark, not before', () => {
    const marks = new Watermarks('t', 1, lateness);
    const w10 = at('2026-03-08T10:00:00Z');
    expect(marks.isClosed(0, w10)).toBe(false); // no watermark yet: nothing is late
    marks.observe(0, at('2026-03-08T10:10:59Z'), at('2026-03-08T10:10:59Z'));
    expect(marks.isClosed(0, w10)).toBe(false); // end 10:01 > 10:10:59 - 10 min
    marks.observe(0, at('2026-03-08T10:11:00Z'), at('2026-03-08T10:11:00Z'));
    expect(marks.isClosed(0, w10)).toBe(true); // end 10:01 <= 10:11 - 10 min
    expect(marks.isClosed(0, w10 + MINUTE)).toBe(false);
  });

  it('never moves a watermark back', () => {
    const marks = new Watermarks('t', 1, lateness);
    marks.observe(0, at('2026-03-08T12:00:00Z'), at('2026-03-08T12:00:00Z'));
    marks.observe(0, at('2026-03-08T09:00:00Z'), at('2026-03-08T09:00:00Z'));
    expect(marks.store.get('0')).toBe(at('2026-03-08T12:00:00Z'));
  });

  it('moves a watermark no further than the arrival time of the post that moves it', () => {
    const marks = new Watermarks('t', 1, lateness);
    // A forged or wrong timestamp, 2099, on a post collected on 8 March 2026 at 11:00.
    marks.observe(0, at('2099-01-01T00:00:00Z'), at('2026-03-08T11:00:00Z'));
    expect(marks.store.get('0')).toBe(at('2026-03-08T11:00:00Z'));
    expect(marks.isClosed(0, at('2026-03-08T10:50:00Z'))).toBe(false);
    expect(marks.isClosed(0, at('2026-03-08T10:49:00Z'))).toBe(true);
    // Clocks disagreeing by a minute hold the watermark back by that minute, never further forward.
    marks.observe(0, at('2026-03-08T11:31:00Z'), at('2026-03-08T11:30:00Z'));
    expect(marks.store.get('0')).toBe(at('2026-03-08T11:30:00Z'));
    expect(isAheadOfArrival(at('2026-03-08T11:00:00Z'), at('2026-03-08T10:00:00Z'))).toBe(false);
    expect(isAheadOfArrival(at('2026-03-08T11:00:00.001Z'), at('2026-03-08T10:00:00Z'))).toBe(true);
  });

  it('judges each partition by its own watermark', () => {
    const marks = new Watermarks('t', 2, lateness);
    marks.observe(0, at('2026-03-08T12:00:00Z'), at('2026-03-08T12:00:00Z'));
    marks.observe(1, at('2026-03-08T10:05:00Z'), at('2026-03-08T10:05:00Z'));
    expect(marks.isClosed(0, at('2026-03-08T10:00:00Z'))).toBe(true);
    expect(marks.isClosed(1, at('2026-03-08T10:00:00Z'))).toBe(false);
  });

  it('has no eviction horizon until every partition has a watermark, then the oldest one minus the lateness', () => {
    const marks = new Watermarks('t', 3, lateness);
    marks.observe(0, at('2026-03-08T12:00:00Z'), at('2026-03-08T12:00:00Z'));
    marks.observe(2, at('2026-03-08T11:00:00Z'), at('2026-03-08T11:00:00Z'));
    expect(marks.horizon()).toBe(-Infinity);
    marks.observe(1, at('2026-03-08T11:30:00Z'), at('2026-03-08T11:30:00Z'));
    expect(marks.horizon()).toBe(at('2026-03-08T10:50:00Z'));
  });

  it('logs watermarks to the changelog and comes back from it', () => {
    const marks = new Watermarks('t', 1, lateness);
    marks.observe(0, at('2026-03-08T12:00:00Z'), at('2026-03-08T12:00:00Z'));
    const restored = new Watermarks('t', 1, lateness);
    for (const { key, value } of marks.store.takeChangelog()) restored.store.restore(key.slice('t.watermark|'.length), value);
    expect(restored.isClosed(0, at('2026-03-08T11:49:00Z'))).toBe(true);
  });
});

describe('WindowedStore', () => {
  type Cell = { w: number; n: number };
  const reading = {
    load: (saved: unknown) => saved as Cell,
    loadPerKeyRecord: (text: string) => {
      const cell = JSON.parse(text) as Cell;
      return { value: cell, window: cell.w };
    },
  };
  const windowed = () => new WindowedStore<Cell>('s.cells', { save: (cell) => cell, ...reading });
  /** A store whose values are derived again on restore: no `save`. */
  const derived = () => new WindowedStore<Cell>('s.cells', reading);
  const entriesOf = (record: ChangelogRecord) => (record.value === null ? null : (JSON.parse(record.value) as Array<[string, number, Cell]>));

  it('logs the whole current value of every key changed in a transaction, packed into one record in window order', () => {
    const store = windowed();
    const cell = { w: MINUTE, n: 1 };
    store.put('a', cell, cell.w);
    cell.n = 2;
    store.put('a', cell, cell.w);
    store.put('b', { w: 0, n: 5 }, 0);
    const [record, ...more] = store.takeChangelog();
    expect(more).toEqual([]);
    expect(record!.key).toBe('s.cells|0:0');
    expect(entriesOf(record!)).toEqual([
      ['b', 0, { w: 0, n: 5 }],
      ['a', MINUTE, { w: MINUTE, n: 2 }],
    ]);
    expect(store.takeChangelog()).toEqual([]);
    store.put('b', { w: 0, n: 6 }, 0);
    expect(store.takeChangelog().map((r) => r.key)).toEqual(['s.cells|1:0']);
  });

  it('splits a large transaction into records under the size limit', () => {
    const store = windowed();
    const big = 'x'.repeat(1000);
    for (let i = 0; i < 1000; i++) store.put(`${big}${i}`, { w: (i % 10) * MINUTE, n: i }, (i % 10) * MINUTE);
    const records = store.takeChangelog();
    expect(records.length).toBeGreaterThan(3);
    for (const record of records) expect(Buffer.byteLength(record.value!)).toBeLessThanOrEqual(MAX_CHANGELOG_RECORD_BYTES + 2);
    expect(records.flatMap((r) => entriesOf(r)!).length).toBe(1000);
  });

  it('evicts whole windows that ended by the horizon, and tombstones a record once all its windows are evicted', () => {
    const store = windowed();
    store.put('old', { w: 0, n: 1 }, 0);
    const [oldOnly] = store.takeChangelog();
    store.put('edge', { w: MINUTE, n: 1 }, MINUTE);
    store.put('open', { w: 2 * MINUTE, n: 1 }, 2 * MINUTE);
    const [spanning] = store.takeChangelog();
    expect(store.evictWindowsEndingBy(MINUTE + 59_999)).toBe(1);
    expect(store.takeChangelog()).toEqual([{ key: oldOnly!.key, value: null }]);
    expect(store.evictWindowsEndingBy(2 * MINUTE + 59_999)).toBe(1);
    expect([...store.entries()].map(([key]) => key)).toEqual(['open']);
    // `open` still needs the record that also holds `edge`.
    expect(store.takeChangelog()).toEqual([]);
    expect(store.evictWindowsEndingBy(2 * MINUTE + 59_999)).toBe(0);
    store.evictWindowsEndingBy(3 * MINUTE);
    expect(store.takeChangelog()).toEqual([{ key: spanning!.key, value: null }]);
  });

  it('restores live records in sequence order whatever order they are read in, and continues the sequence', () => {
    const store = windowed();
    store.put('a', { w: 0, n: 1 }, 0);
    store.put('b', { w: 0, n: 1 }, 0);
    const first = store.takeChangelog();
    store.put('a', { w: 0, n: 2 }, 0);
    const second = store.takeChangelog();
    store.put('c', { w: 5 * MINUTE, n: 1 }, 5 * MINUTE);
    const third = store.takeChangelog();
    store.evictWindowsEndingBy(MINUTE);
    const tombstones = store.takeChangelog();
    expect(tombstones.map((r) => r.key)).toEqual([...first, ...second].map((r) => r.key));

    // Another changelog partition's records may come first; a tombstone follows its record (same key, same partition).
    const restored = windowed();
    for (const record of [...second, ...third, ...first, ...tombstones]) restored.restore(record.key.slice('s.cells|'.length), record.value);
    restored.finishRestore();
    expect(Object.fromEntries(restored.entries())).toEqual({ c: { w: 5 * MINUTE, n: 1 } });
    expect(restored.takeChangelog()).toEqual([]); // restoring logs nothing again

    const again = windowed();
    for (const record of [...second, ...first, ...third]) again.restore(record.key.slice('s.cells|'.length), record.value);
    again.finishRestore();
    expect(Object.fromEntries(again.entries())).toEqual({ a: { w: 0, n: 2 }, b: { w: 0, n: 1 }, c: { w: 5 * MINUTE, n: 1 } });
    again.put('c', { w: 5 * MINUTE, n: 2 }, 5 * MINUTE);
    expect(again.takeChangelog().map((r) => r.key)).toEqual(['s.cells|3:0']);
    expect(again.evictWindowsEndingBy(MINUTE)).toBe(2);
    expect(again.takeChangelog().map((r) => r.key).sort()).toEqual([...first, ...second].map((r) => r.key).sort());
  });

  it('takes the per-key records of the format before, rewrites them in its own with their tombstones, and continues', () => {
    const store = windowed();
    // As the per-key store wrote them: a value per key, a later value of the same key, a tombstone.
    store.restore('a', '{"w":0,"n":1}');
    store.restore('b', '{"w":60000,"n":4}');
    store.restore('a', '{"w":0,"n":2}');
    store.restore('gone', null);
    store.finishRestore();
    expect(Object.fromEntries(store.entries())).toEqual({ a: { w: 0, n: 2 }, b: { w: MINUTE, n: 4 } });
    const records = store.takeChangelog();
    expect(records.filter((r) => r.value === null).map((r) => r.key).sort()).toEqual(['s.cells|a', 's.cells|b']);
    const rewritten = records.filter((r) => r.value !== null);
    expect(rewritten.map((r) => r.key)).toEqual(['s.cells|0:0']);
    expect(entriesOf(rewritten[0]!)).toEqual([
      ['a', 0, { w: 0, n: 2 }],
      ['b', MINUTE, { w: MINUTE, n: 4 }],
    ]);

    // A restart after that transaction sees only the current format.
    const again = windowed();
    for (const record of records) again.restore(record.key.slice('s.cells|'.length), record.value);
    again.finishRestore();
    expect(Object.fromEntries(again.entries())).toEqual({ a: { w: 0, n: 2 }, b: { w: MINUTE, n: 4 } });
    expect(again.takeChangelog()).toEqual([]);
  });

  it('without `save`, logs nothing but the tombstones of the records an earlier version wrote, once their windows are evicted', () => {
    const store = derived();
    // Left by a version that logged this store: a per-key record and a per-transaction one.
    store.restore('a', '{"w":0,"n":2}');
    store.restore('0:0', JSON.stringify([['b', MINUTE, { w: MINUTE, n: 4 }]]));
    store.finishRestore();
    expect(Object.fromEntries(store.entries())).toEqual({ a: { w: 0, n: 2 }, b: { w: MINUTE, n: 4 } });

    store.update('a', 0, () => ({ w: 0, n: 0 })).n++;
    expect([...store.changed()].map(([key]) => key)).toEqual(['a']);
    // Rebuilt state was published already: not listed as changed.
    store.rebuild('c', 2 * MINUTE, () => ({ w: 2 * MINUTE, n: 1 }));
    expect([...store.changed()].map(([key]) => key)).toEqual(['a']);
    expect(store.takeChangelog()).toEqual([]);
    expect([...store.changed()]).toEqual([]);

    store.evictWindowsEndingBy(MINUTE);
    expect(store.takeChangelog()).toEqual([{ key: 's.cells|a', value: null }]);
    store.evictWindowsEndingBy(2 * MINUTE);
    expect(store.takeChangelog()).toEqual([{ key: 's.cells|0:0', value: null }]);
    expect([...store.entries()].map(([key]) => key)).toEqual(['c']);
  });
});
