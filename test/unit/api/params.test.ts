import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../api/errors.js';
import { optionsOf, parseParams, paramsFromOptions, paramsFromQuery } from '../../../api/params.js';
import { CooccurrenceParams, ReportQuery, SearchParams, TrendsParams } from '../../../schemas/index.js';

const fromQuery = (schema: Parameters<typeof paramsFromQuery>[0], query: string) => parseParams(schema, paramsFromQuery(schema, new URLSearchParams(query)));

/** The 400 a bad query string gets: its field and message. */
function refusal(schema: Parameters<typeof paramsFromQuery>[0], query: string): { field?: string; message: string; status: number } {
  try {
    fromQuery(schema, query);
  } catch (error) {
    if (error instanceof ApiError) return { field: error.field, message: error.message, status: error.status };
    throw error;
  }
  throw new Error(`${query} was accepted`);
}

describe('query parameters', () => {
  it('take lists repeated or comma-separated, and fill in defaults', () => {
    expect(fromQuery(TrendsParams, 'tag=%23МенОяндым&tag=metoo,seruen&platform=vk,telegram')).toEqual({
      tag: ['#МенОяндым', 'metoo', 'seruen'],
      platform: ['vk', 'telegram'],
      tz: 'UTC',
      interval: 'day',
    });
  });

  it('take a time zone in any case, passed on as the IANA name the engines know', () => {
    expect(fromQuery(TrendsParams, 'tag=metoo&tz=asia/almaty')).toMatchObject({ tz: 'Asia/Almaty' });
    expect(fromQuery(TrendsParams, 'tag=metoo&tz=utc')).toMatchObject({ tz: 'UTC' });
  });

  it('coerce numbers and yes/no values from text', () => {
    expect(fromQuery(CooccurrenceParams, 'tag=metoo&min_count=5&limit=10')).toMatchObject({ min_count: 5, limit: 10, sort: 'count' });
    expect(fromQuery(SearchParams, 'abusive=true&toward_women=0')).toMatchObject({ abusive: true, toward_women: false });
  });

  it.each([
    [TrendsParams, 'interval=year', 'interval', 'interval: must be one of hour, day, week, month (got "year")'],
    [TrendsParams, 'platform=myspace', 'platform', /^platform: must be one of .*mastodon.*\(got \["myspace"\]\)$/],
    [TrendsParams, 'tz=Asia/Almati', 'tz', 'tz: an IANA time zone such as Asia/Almaty, Europe/Berlin or UTC (got "Asia/Almati")'],
    [TrendsParams, 'from=yesterday', 'from', /^from: a date \(2026-03-01\), .* \(got "yesterday"\)$/],
    [TrendsParams, 'colour=red', 'colour', /^colour: unknown parameter; allowed: tag, family, from, to, tz, platform, interval, lang$/],
    [TrendsParams, 'tz=UTC&tz=Asia/Almaty', 'tz', 'tz: given 2 times; give it once'],
    [CooccurrenceParams, 'min_count=2', 'tag', 'tag: is required'],
    [CooccurrenceParams, 'tag=metoo&limit=5000', 'limit', /^limit: .*1000.* \(got "5000"\)$/],
    [CooccurrenceParams, 'tag=metoo&sort=chi2', 'sort', 'sort: must be one of count, pmi, npmi, lift, jaccard (got "chi2")'],
    [SearchParams, 'abusive=maybe', 'abusive', 'abusive: true or false (also 1/0, yes/no, on/off) (got "maybe")'],
    [SearchParams, 'toward_women=enabled', 'toward_women', 'toward_women: true or false (also 1/0, yes/no, on/off) (got "enabled")'],
    [SearchParams, 'size=0', 'size', 'size: a whole number from 1 to 1000 (got "0")'],
    [SearchParams, 'size=abc', 'size', 'size: a whole number from 1 to 1000 (got "abc")'],
    [CooccurrenceParams, 'tag=metoo&min_count=2.5', 'min_count', 'min_count: a whole number from 1 to 1000000 (got "2.5")'],
  ] as const)('refuse a bad value with a 400 naming the field and what is allowed (%#)', (schema, query, field, message) => {
    const error = refusal(schema, query);
    expect(error.status).toBe(400);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(typeof message === 'string' ? new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : message);
  });
});

describe('CLI options', () => {
  it('are the parameters with dashes, lists repeatable, a scalar given twice refused', () => {
    expect(optionsOf(CooccurrenceParams)['min-count']).toEqual({ type: 'string', multiple: true });
    expect(optionsOf(TrendsParams).tag).toEqual({ type: 'string', multiple: true });
    expect(parseParams(CooccurrenceParams, paramsFromOptions(CooccurrenceParams, { tag: ['metoo'], 'min-count': ['5'] }), 'option')).toMatchObject({ min_count: 5 });
    expect(() => paramsFromOptions(CooccurrenceParams, { tag: ['metoo'], 'min-count': ['5', '6'] })).toThrow(/^min_count: given 2 times; give it once$/);
    expect(parseParams(TrendsParams, paramsFromOptions(TrendsParams, { tag: ['metoo', 'seruen,almaty'], interval: 'week' }))).toMatchObject({
      tag: ['metoo', 'seruen', 'almaty'],
      interval: 'week',
    });
  });
});

describe('report queries', () => {
  it('take the parameters of their export, as JSON values', () => {
    expect(ReportQuery.parse({ export: 'trends', tag: ['metoo'], interval: 'week', bom: true })).toMatchObject({ export: 'trends', bom: true, tz: 'UTC' });
    expect(ReportQuery.safeParse({ export: 'trends', tag: ['metoo'], q: 'text' }).success).toBe(false);
  });
});
