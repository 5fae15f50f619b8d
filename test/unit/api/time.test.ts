import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../api/errors.js';
import { formatInZone, maxBuckets, parseTime, resolveBoundedRange, resolveRange } from '../../../api/time.js';

const NOW = Date.parse('2024-03-10T12:00:00Z');

describe('times in a zone', () => {
  it('reads dates and local times in the zone, with the offset it had then (Asia/Almaty: +06 until 2024-03-01, +05 after)', () => {
    expect(new Date(parseTime('from', '2024-02-20', 'Asia/Almaty', NOW)).toISOString()).toBe('2024-02-19T18:00:00.000Z');
    expect(new Date(parseTime('from', '2024-03-05T08:30', 'Asia/Almaty', NOW)).toISOString()).toBe('2024-03-05T03:30:00.000Z');
    expect(new Date(parseTime('from', '2024-07-01', 'Europe/Berlin', NOW)).toISOString()).toBe('2024-06-30T22:00:00.000Z');
  });

  it('takes an instant with an offset as it is, whatever the zone', () => {
    expect(parseTime('from', '2024-03-05T08:30:00+05:00', 'UTC', NOW)).toBe(Date.parse('2024-03-05T03:30:00Z'));
    expect(parseTime('from', '2024-03-05T08:30:00.250Z', 'Asia/Almaty', NOW)).toBe(Date.parse('2024-03-05T08:30:00.250Z'));
  });

  it('reads a date alone as `to` as the end of that day, and relative times from now', () => {
    expect(new Date(parseTime('to', '2024-02-29', 'Asia/Almaty', NOW, true)).toISOString()).toBe('2024-02-29T19:00:00.000Z');
    expect(parseTime('from', '-7d', 'UTC', NOW)).toBe(NOW - 7 * 86_400_000);
    expect(parseTime('from', '-24h', 'UTC', NOW)).toBe(NOW - 86_400_000);
    expect(parseTime('to', 'now', 'UTC', NOW)).toBe(NOW);
  });

  it('takes the earlier of a repeated time and shifts a skipped one forward, as java.time does', () => {
    // Almaty set its clock back from 00:00 to 23:00 on 29 February 2024: 23:30 happened twice.
    expect(new Date(parseTime('from', '2024-02-29T23:30', 'Asia/Almaty', NOW)).toISOString()).toBe('2024-02-29T17:30:00.000Z');
    // Berlin skipped 02:00-03:00 on 31 March 2024.
    expect(new Date(parseTime('from', '2024-03-31T02:30', 'Europe/Berlin', NOW)).toISOString()).toBe('2024-03-31T01:30:00.000Z');
  });

  it('refuses dates that do not exist, naming the parameter', () => {
    expect(() => parseTime('from', '2023-02-29', 'UTC', NOW)).toThrow(/^from: no such date or time: "2023-02-29"$/);
    expect(() => parseTime('to', '2024-01-01T24:00', 'UTC', NOW)).toThrow(ApiError);
  });

  it('reads the years 0–99 as those years, not as 1900–1999', () => {
    expect(parseTime('from', '0099-01-01', 'UTC', NOW)).toBe(Date.parse('0099-01-01T00:00:00Z'));
    expect(parseTime('to', '0099-12-31', 'UTC', NOW, true)).toBe(Date.parse('0100-01-01T00:00:00Z'));
    expect(parseTime('from', '0012-03-05T08:30:00+05:00', 'UTC', NOW)).toBe(Date.parse('0012-03-05T03:30:00Z'));
    expect(() => parseTime('from', '0099-02-29', 'UTC', NOW)).toThrow(/no such date/);
    expect(parseTime('from', '0096-02-29', 'UTC', NOW)).toBe(Date.parse('0096-02-29T00:00:00Z'));
  });

  it('formats an instant as local time with the offset of that instant', () => {
    expect(formatInZone(Date.parse('2024-02-29T17:30:00Z'), 'Asia/Almaty')).toBe('2024-02-29T23:30:00+06:00');
    expect(formatInZone(Date.parse('2024-02-29T18:30:00Z'), 'Asia/Almaty')).toBe('2024-02-29T23:30:00+05:00');
    expect(formatInZone(Date.parse('2024-01-01T00:00:00Z'), 'America/St_Johns')).toBe('2023-12-31T20:30:00-03:30');
    expect(formatInZone(Date.parse('2024-01-01T00:00:00Z'), 'UTC')).toBe('2024-01-01T00:00:00+00:00');
  });
});

describe('ranges', () => {
  it('default to 30 days before now for aggregates, from the beginning for posts', () => {
    expect(resolveBoundedRange({ tz: 'UTC' }, NOW, 30 * 86_400_000)).toEqual({ from: NOW - 30 * 86_400_000, to: NOW });
    expect(resolveRange({ tz: 'UTC' }, NOW)).toEqual({ from: undefined, to: NOW });
  });

  it('refuse from after to, with both instants in the message', () => {
    expect(() => resolveRange({ from: '2024-03-02', to: '2024-03-01', tz: 'UTC' }, NOW)).toThrow(/^from: must be before to \(from is 2024-03-02T00:00:00.000Z, to is 2024-03-02T00:00:00.000Z, exclusive\)$/);
  });

  it('bound the number of buckets from above, DST-shortened ones included', () => {
    const range = { from: Date.parse('2024-01-01T00:00:00Z'), to: Date.parse('2024-01-02T00:00:00Z') };
    expect(maxBuckets(range, 'hour')).toBeGreaterThanOrEqual(24);
    expect(maxBuckets(range, 'day')).toBeGreaterThanOrEqual(2);
    expect(maxBuckets({ from: 0, to: 365 * 86_400_000 }, 'month')).toBeGreaterThanOrEqual(13);
  });
});
