import { describe, expect, it } from 'vitest';
import { StateStore, jsonCodec } from '../../../processors/runtime/state-store.js';
import { Watermarks, windowStartOf } from '../../../processors/windows.js';

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
    marks.observe(0, at('2026-03-08T10:10:59Z'));
    expect(marks.isClosed(0, w10)).toBe(false); // end 10:01 > 10:10:59 - 10 min
    marks.observe(0, at('2026-03-08T10:11:00Z'));
    expect(marks.isClosed(0, w10)).toBe(true); // end 10:01 <= 10:11 - 10 min
    expect(marks.isClosed(0, w10 + MINUTE)).toBe(false);
  });

  it('never moves a watermark back', () => {
    const marks = new Watermarks('t', 1, lateness);
    marks.observe(0, at('2026-03-08T12:00:00Z'));
    marks.observe(0, at('2026-03-08T09:00:00Z'));
    expect(marks.store.get('0')).toBe(at('2026-03-08T12:00:00Z'));
  });

  it('judges each partition by its own watermark', () => {
    const marks = new Watermarks('t', 2, lateness);
    marks.observe(0, at('2026-03-08T12:00:00Z'));
    marks.observe(1, at('2026-03-08T10:05:00Z'));
    expect(marks.isClosed(0, at('2026-03-08T10:00:00Z'))).toBe(true);
    expect(marks.isClosed(1, at('2026-03-08T10:00:00Z'))).toBe(false);
  });

  it('has no eviction horizon until every partition has a watermark, then the oldest one minus the lateness', () => {
    const marks = new Watermarks('t', 3, lateness);
    marks.observe(0, at('2026-03-08T12:00:00Z'));
    marks.observe(2, at('2026-03-08T11:00:00Z'));
    expect(marks.horizon()).toBe(-Infinity);
    marks.observe(1, at('2026-03-08T11:30:00Z'));
    expect(marks.horizon()).toBe(at('2026-03-08T10:50:00Z'));
  });

  it('logs watermarks to the changelog and comes back from it', () => {
    const marks = new Watermarks('t', 1, lateness);
    marks.observe(0, at('2026-03-08T12:00:00Z'));
    const restored = new Watermarks('t', 1, lateness);
    for (const { key, value } of marks.store.takeChangelog()) restored.store.restore(key.slice('t.watermark|'.length), value);
    expect(restored.isClosed(0, at('2026-03-08T11:49:00Z'))).toBe(true);
  });
});

describe('StateStore', () => {
  const windowed = () => new StateStore<{ w: number; n: number }>('s.cells', jsonCodec(), (_key, value) => value.w);

  it('logs the whole current value of each changed key once per batch, and a tombstone for a removed one', () => {
    const store = windowed();
    const cell = { w: 0, n: 1 };
    store.put('a', cell);
    cell.n = 2;
    store.put('a', cell);
    store.put('b', { w: 0, n: 5 });
    expect(store.takeChangelog()).toEqual([
      { key: 's.cells|a', value: '{"w":0,"n":2}' },
      { key: 's.cells|b', value: '{"w":0,"n":5}' },
    ]);
    expect(store.takeChangelog()).toEqual([]);
  });

  it('evicts whole windows that ended by the horizon, with tombstones, and only once per minute of progress', () => {
    const store = windowed();
    store.put('old', { w: 0, n: 1 });
    store.put('edge', { w: MINUTE, n: 1 });
    store.put('open', { w: 2 * MINUTE, n: 1 });
    store.takeChangelog();
    expect(store.evictWindowsEndingBy(2 * MINUTE + 59_999)).toBe(2);
    expect([...store.entries()].map(([key]) => key)).toEqual(['open']);
    expect(store.takeChangelog()).toEqual([
      { key: 's.cells|old', value: null },
      { key: 's.cells|edge', value: null },
    ]);
    expect(store.evictWindowsEndingBy(2 * MINUTE + 59_999)).toBe(0);
  });

  it('restores values and tombstones in order, and evicts restored entries too', () => {
    const store = windowed();
    store.restore('a', '{"w":0,"n":1}');
    store.restore('b', '{"w":0,"n":1}');
    store.restore('a', null);
    store.restore('b', '{"w":0,"n":3}');
    expect(Object.fromEntries(store.entries())).toEqual({ b: { w: 0, n: 3 } });
    expect(store.takeChangelog()).toEqual([]); // restoring logs nothing again
    expect(store.evictWindowsEndingBy(MINUTE)).toBe(1);
    expect(store.size).toBe(0);
  });
});
