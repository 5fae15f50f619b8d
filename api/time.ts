import type { Interval } from '../schemas/index.js';
import { badParameter } from './errors.js';

/**
 * Time in a named zone, with every offset taken from the runtime's IANA database through Intl (Asia/Almaty is
 * UTC+6 until 2024-03-01 and UTC+5 after; Europe/Berlin moves twice a year), never from a fixed table.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const partsFormats = new Map<string, Intl.DateTimeFormat>();

function partsFormat(tz: string): Intl.DateTimeFormat {
  let format = partsFormats.get(tz);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormats.set(tz, format);
  }
  return format;
}

/** The wall-clock fields of an instant in a zone. */
function wallClock(ms: number, tz: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const fields: Record<string, number> = {};
  for (const part of partsFormat(tz).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return { year: fields.year!, month: fields.month!, day: fields.day!, hour: fields.hour!, minute: fields.minute!, second: fields.second! };
}

/** The zone's offset from UTC at an instant, in ms (east positive), to the second. */
export function offsetAt(ms: number, tz: string): number {
  const w = wallClock(ms, tz);
  const wallAsUtc = utc(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return wallAsUtc - Math.floor(ms / 1000) * 1000;
}

/** Date.UTC, but years 0–99 are those years, not 1900–1999 (Date.UTC's legacy reading). */
function utc(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const date = new Date(Date.UTC(2000, monthIndex, day, hour, minute, second, ms));
  date.setUTCFullYear(year + date.getUTCFullYear() - 2000);
  return date.getTime();
}

/**
 * The instant a wall-clock time in a zone names. When the clock is set back and the time occurs twice, the earlier
 * instant; when it is set forward and the time does not exist, the time shifted forward by the gap. Both are what
 * the search engines (java.time) do, so a bucket boundary computed here equals the engine's.
 */
export function instantOf(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number, tz: string): number {
  const wall = utc(year, month - 1, day, hour, minute, second, ms);
  const before = offsetAt(wall - DAY, tz);
  const after = offsetAt(wall + DAY, tz);
  const valid = [wall - before, wall - after].filter((t, i) => offsetAt(t, tz) === (i === 0 ? before : after));
  return valid.length > 0 ? Math.min(...valid) : wall - before;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `2026-03-29T03:00:00+02:00`: the local time in the zone with its offset, so a reader sees both. */
export function formatInZone(ms: number, tz: string): string {
  const w = wallClock(ms, tz);
  const offsetMinutes = Math.round(offsetAt(ms, tz) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const RELATIVE_UNIT_MS = { h: HOUR, d: DAY, w: 7 * DAY } as const;

/**
 * An instant from a `from`/`to` parameter (the syntax schemas/api.ts checks): an instant with an offset as it is;
 * a date or local time in `tz`; `now`; or a time ago (`-7d` is 7 × 24 hours before now). A date alone is the
 * start of that day, or with `endOfDay` the start of the next one (so `to=2026-03-31` takes in the 31st).
 */
export function parseTime(field: string, text: string, tz: string, now: number, endOfDay = false): number {
  if (text === 'now') return now;
  const relative = /^-(\d+)([hdw])$/.exec(text);
  if (relative) return now - Number(relative[1]) * RELATIVE_UNIT_MS[relative[2] as keyof typeof RELATIVE_UNIT_MS];
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(text);
  if (!match) throw badParameter(field, `not a time: ${JSON.stringify(text)}`);
  const [, y, mo, d, h, mi, s, frac, offset] = match;
  const fields = [Number(y), Number(mo), Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0)] as const;
  const check = new Date(utc(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5]));
  if (check.getUTCMonth() !== fields[1] - 1 || check.getUTCDate() !== fields[2] || fields[3] > 23 || fields[4] > 59 || fields[5] > 59) {
    throw badParameter(field, `no such date or time: ${JSON.stringify(text)}`);
  }
  const millis = frac ? Number(frac.padEnd(3, '0')) : 0;
  if (offset !== undefined) {
    const offsetMinutes = offset === 'Z' ? 0 : (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
    return utc(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5], millis) - offsetMinutes * 60_000;
  }
  const dateOnly = h === undefined;
  if (dateOnly && endOfDay) {
    const next = new Date(utc(fields[0], fields[1] - 1, fields[2] + 1));
    return instantOf(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 0, 0, 0, 0, tz);
  }
  return instantOf(...fields, millis, tz);
}

export interface TimeRange {
  /** Inclusive; undefined means from the beginning. */
  from: number | undefined;
  /** Exclusive. */
  to: number;
}

/** The range of a query; an absent `from` means from the beginning, an absent `to` now. */
export function resolveRange(params: { from?: string; to?: string; tz: string }, now: number): TimeRange {
  const to = params.to === undefined ? now : parseTime('to', params.to, params.tz, now, true);
  const from = params.from === undefined ? undefined : parseTime('from', params.from, params.tz, now);
  if (from !== undefined && from >= to) {
    throw badParameter('from', `must be before to (from is ${new Date(from).toISOString()}, to is ${new Date(to).toISOString()}, exclusive)`);
  }
  return { from, to };
}

/** A range with both ends, as aggregates need (their empty buckets span it). */
export interface BoundedRange {
  from: number;
  to: number;
}

/** The range of an aggregate: `from` defaults to `defaultSpanMs` before `to`. */
export function resolveBoundedRange(params: { from?: string; to?: string; tz: string }, now: number, defaultSpanMs: number): BoundedRange {
  const { from, to } = resolveRange(params, now);
  return { from: from ?? to - defaultSpanMs, to };
}

/** The shortest an interval's bucket can be (DST and offset changes shorten some), for bounding how many buckets a query asks for. */
const SHORTEST_BUCKET_MS: Record<Interval, number> = { hour: HOUR - 30 * 60_000, day: DAY - HOUR, week: 7 * DAY - HOUR, month: 28 * DAY - HOUR };

/** An upper bound on the number of buckets of an interval in a range. */
export function maxBuckets(range: BoundedRange, interval: Interval): number {
  return Math.ceil((range.to - range.from) / SHORTEST_BUCKET_MS[interval]) + 1;
}
