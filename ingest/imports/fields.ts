import { z } from 'zod';

/**
 * Field schemas shared by the format readers. Every time becomes an ISO-8601 UTC instant here, so a
 * reader's zod schema rejects an item with a bad date the same way it rejects any other bad field.
 */

/** Largest time JavaScript can represent, in seconds; beyond it `toISOString` throws. */
const MAX_UNIX_SECONDS = 8.64e12;

function secondsToInstant(seconds: number, ctx: z.core.$RefinementCtx<unknown>, input: unknown): string {
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_UNIX_SECONDS) {
    ctx.issues.push({ code: 'custom', message: 'unix seconds out of range', input });
    return z.NEVER;
  }
  return new Date(seconds * 1000).toISOString();
}

function millisToInstant(millis: number, ctx: z.core.$RefinementCtx<unknown>, input: unknown): string {
  return secondsToInstant(millis / 1000, ctx, input);
}

/** Unix seconds, as a number or a string of digits (Telegram's `date_unixtime`, TikTok's `createTime`). */
export const UnixSeconds = z
  .union([z.number(), z.string().regex(/^\d+(\.\d+)?$/, 'unix seconds as digits')])
  .transform((value, ctx) => secondsToInstant(Number(value), ctx, value));

/** Unix milliseconds as a number (Zeeschuimer's `timestamp_collected`). */
export const UnixMillis = z.number().transform((value, ctx) => millisToInstant(value, ctx, value));

/** ISO 8601 with a UTC designator or offset; without one the instant would depend on an unknown zone. */
export const IsoInstant = z
  .iso.datetime({ offset: true, error: 'an ISO 8601 date-time with Z or an offset' })
  .transform((value) => new Date(value).toISOString());

/** ISO 8601 with offset, or unix seconds as a number or digit string: what researcher-made files hold. */
export const FlexibleInstant = z.union([IsoInstant, UnixSeconds], {
  error: 'an ISO 8601 date-time with Z or an offset, or unix seconds',
});

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TWITTER_DATE = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$/;

/** Twitter's v1.1 `created_at`, still inside GraphQL `legacy` objects: `Wed Oct 10 20:19:24 +0000 2018`. */
export const TwitterDate = z.string().transform((value, ctx) => {
  const match = TWITTER_DATE.exec(value);
  const month = match ? MONTHS.indexOf(match[1]!) : -1;
  if (!match || month < 0) {
    ctx.issues.push({ code: 'custom', message: 'a Twitter date such as "Wed Oct 10 20:19:24 +0000 2018"', input: value });
    return z.NEVER;
  }
  const [, , day, hours, minutes, seconds, sign, offsetHours, offsetMinutes, year] = match;
  const offsetMs = (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  const utc = Date.UTC(Number(year), month, Number(day), Number(hours), Number(minutes), Number(seconds)) - offsetMs;
  return millisToInstant(utc, ctx, value);
});

/** 4CAT's `timestamp` column: `YYYY-MM-DD HH:MM:SS`, written in UTC; read as ISO so impossible days are refused. */
export const FourCatTimestamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, 'a 4CAT timestamp "YYYY-MM-DD HH:MM:SS" (UTC)')
  .transform((value) => `${value.replace(' ', 'T')}Z`)
  .pipe(IsoInstant);

/** A non-negative count from JSON (number) or text (digits); platforms send both. */
export const Count = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)]);

/** An id that exports write either as a JSON number or a string; kept as the string the platform means. */
export const IdString = z.union([z.string().min(1), z.number().int().nonnegative().transform(String)]);

/** A hashtag as entity lists and tag columns write it, without `#` (or the full-width `＃`) and surrounding space. */
export function bareTag(tag: string): string {
  return tag.trim().replace(/^[#＃]+/u, '');
}

/** Bare, non-empty, first-seen-order unique tags. */
export function uniqueTags(tags: Iterable<string>): string[] {
  const seen = new Set<string>();
  for (const tag of tags) {
    const bare = bareTag(tag);
    if (bare) seen.add(bare);
  }
  return [...seen];
}

/** What a tweet says: its whole text and its hashtags. */
export interface TweetContent {
  text: string;
  tags: string[];
}

/**
 * A retweet as every Tagpulse importer stores it (Zeeschuimer's GraphQL tweets, twarc2): X cuts a retweet's own
 * text short ("RT @user: …"), so it is `RT @<original's author>: ` and the original's whole text, with the
 * original's tags, as X shows it.
 */
export function retweetContent(originalHandle: string | undefined, original: TweetContent): TweetContent {
  return { text: `RT @${originalHandle ?? ''}: ${original.text}`, tags: original.tags };
}
