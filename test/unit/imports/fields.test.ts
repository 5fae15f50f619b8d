import { describe, expect, it } from 'vitest';
import { FlexibleInstant, FourCatTimestamp, TwitterDate, UnixSeconds, uniqueTags } from '../../../ingest/imports/fields.js';

describe('import field schemas', () => {
  it('reads Twitter dates with their offset', () => {
    expect(TwitterDate.parse('Wed Oct 10 20:19:24 +0000 2018')).toBe('2018-10-10T20:19:24.000Z');
    expect(TwitterDate.parse('Fri Mar 08 10:15:00 +0500 2024')).toBe('2024-03-08T05:15:00.000Z');
    expect(TwitterDate.safeParse('2024-03-08T10:15:00Z').success).toBe(false);
  });

  it('reads 4CAT timestamps as UTC and refuses days that do not exist', () => {
    expect(FourCatTimestamp.parse('2024-02-29 23:59:59')).toBe('2024-02-29T23:59:59.000Z');
    expect(FourCatTimestamp.safeParse('2024-02-30 10:00:00').success).toBe(false);
    expect(FourCatTimestamp.safeParse('undefined').success).toBe(false);
  });

  it('reads unix seconds from numbers and digit strings, within range', () => {
    expect(UnixSeconds.parse('1709871300')).toBe('2024-03-08T04:15:00.000Z');
    expect(UnixSeconds.parse(1709871300.5)).toBe('2024-03-08T04:15:00.500Z');
    expect(UnixSeconds.safeParse(1e20).success).toBe(false);
    expect(UnixSeconds.safeParse(-1).success).toBe(false);
  });

  it('takes ISO dates only with an offset', () => {
    expect(FlexibleInstant.parse('2024-03-08T10:15:00+05:00')).toBe('2024-03-08T05:15:00.000Z');
    expect(FlexibleInstant.parse(1709871300)).toBe('2024-03-08T04:15:00.000Z');
    expect(FlexibleInstant.safeParse('2024-03-08T10:15:00').success).toBe(false);
  });

  it('strips # and full-width ＃ from tags, drops empty ones and duplicates, keeps case and script', () => {
    expect(uniqueTags(['#qazaqkoktemi', ' qazaqkoktemi ', '＃ҚазақКөктемі', '#', '', 'MeToo', 'metoo'])).toEqual([
      'qazaqkoktemi',
      'ҚазақКөктемі',
      'MeToo',
      'metoo',
    ]);
  });
});
