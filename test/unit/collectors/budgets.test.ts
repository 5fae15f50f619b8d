import { describe, expect, it } from 'vitest';
import { DailyBudget } from '../../../ingest/framework/budget.js';
import { LimitReachedError } from '../../../ingest/framework/source.js';
import { HashtagBudget } from '../../../ingest/sources/instagram/budget.js';
import { recordingLog } from './recording-log.js';

/** A clock at a fixed time that moves only when told. */
function fixedClock(iso: string) {
  let now = Date.parse(iso);
  return { now: () => now, sleep: async (ms: number) => void (now += ms), advance: (ms: number) => void (now += ms) };
}

describe('daily call budget', () => {
  it('counts calls per Pacific day, says once when the day is spent, and resets at midnight Pacific (not UTC)', () => {
    // 07:30 UTC on 9 January is 23:30 on 8 January in Los Angeles (PST).
    const clock = fixedClock('2026-01-09T07:30:00Z');
    const log = recordingLog();
    const budget = new DailyBudget({ name: 'YouTube search.list calls', limit: 2, timeZone: 'America/Los_Angeles', clock, log });
    budget.take();
    budget.take();
    expect(log.lines.filter((l) => l.event.startsWith('daily budget spent'))).toHaveLength(1);
    expect(() => budget.take()).toThrow(LimitReachedError);
    expect(() => budget.take()).toThrow(/today's budget of 2 \(2026-01-08, America\/Los_Angeles\) is spent/);
    expect(log.lines.filter((l) => l.event.startsWith('daily budget spent'))).toHaveLength(1);
    expect(budget.snapshot()).toEqual({ day: '2026-01-08', used: 2 });
    clock.advance(31 * 60_000); // 00:01 in Los Angeles
    expect(budget.remaining()).toBe(2);
  });

  it('is restored across restarts, and a quota refusal spends the rest of the day', () => {
    const clock = fixedClock('2026-03-08T18:00:00Z');
    const make = () => new DailyBudget({ name: 'units', limit: 100, timeZone: 'America/Los_Angeles', clock, log: recordingLog() });
    const first = make();
    first.take();
    const second = make();
    second.restore(first.snapshot());
    expect(second.remaining()).toBe(99);
    expect(second.exhaust()).toBeInstanceOf(LimitReachedError);
    expect(second.remaining()).toBe(0);
    // A stored count of another day is no count at all.
    const third = make();
    third.restore({ day: '2026-03-01', used: 100 });
    expect(third.remaining()).toBe(100);
  });
});

describe('Instagram hashtag budget', () => {
  it('warns from the 25th hashtag of the week, refuses a 31st, lets counted ones run, and frees a place after seven days', () => {
    const clock = fixedClock('2026-03-08T10:00:00Z');
    const log = recordingLog();
    const budget = new HashtagBudget({ clock, log });
    for (let i = 0; i < 24; i++) budget.use(`tag${i}`);
    expect(log.lines).toEqual([]);
    budget.use('tag24');
    expect(log.lines).toMatchObject([{ level: 'warn', fields: { used: 25, limit: 30 } }]);
    clock.advance(3_600_000);
    for (let i = 25; i < 30; i++) budget.use(`tag${i}`);
    expect(() => budget.use('seruen')).toThrow(/30 hashtags per 7 days are in use .*#seruen can be queried from 2026-03-15T10:00:00\.000Z/);
    budget.use('tag3'); // counted already: free to query again
    clock.advance(7 * 86_400_000 - 3_600_000 + 1);
    budget.use('seruen'); // the first 24 (but tag3) fell out of the window
  });

  it('keeps hashtag ids across restarts, and forgets uses older than a week', () => {
    const clock = fixedClock('2026-03-08T10:00:00Z');
    const budget = new HashtagBudget({ clock, log: recordingLog() });
    budget.use('metoo');
    budget.rememberId('metoo', '17843');
    budget.use('old');
    clock.advance(8 * 86_400_000);
    const restored = new HashtagBudget({ clock, log: recordingLog() });
    restored.restore(budget.snapshot());
    expect(restored.hashtagId('metoo')).toBe('17843');
    expect(restored.snapshot()).toEqual({ metoo: { id: '17843', queriedAt: Date.parse('2026-03-08T10:00:00Z') } });
  });
});
