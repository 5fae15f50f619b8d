import { describe, expect, it } from 'vitest';
import { parseLinkHeader, parseResetValue, parseRetryAfter, rateLimitExhausted, rateLimitResumeAt } from '../../../ingest/framework/headers.js';

const now = Date.parse('2026-03-08T10:00:00Z');

describe('rate-limit headers', () => {
  it('reads Retry-After as delta-seconds or as an HTTP-date', () => {
    expect(parseRetryAfter('120', now)).toBe(now + 120_000);
    expect(parseRetryAfter('Sun, 08 Mar 2026 10:05:00 GMT', now)).toBe(now + 300_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('reads a reset as an ISO date (Mastodon), epoch seconds (Bluesky, X) or delta-seconds (IETF draft)', () => {
    expect(parseResetValue('2026-03-08T10:05:00.123Z', now)).toBe(now + 300_123);
    expect(parseResetValue(String(now / 1000 + 900), now)).toBe(now + 900_000);
    expect(parseResetValue('30', now)).toBe(now + 30_000);
  });

  it('prefers Retry-After, then RateLimit-Reset, X-RateLimit-Reset, x-rate-limit-reset', () => {
    const headers = (init: Record<string, string>) => new Headers(init);
    expect(rateLimitResumeAt(headers({ 'Retry-After': '5', 'X-RateLimit-Reset': '2026-03-08T11:00:00Z' }), now)).toBe(now + 5000);
    expect(rateLimitResumeAt(headers({ 'RateLimit-Reset': String(now / 1000 + 60) }), now)).toBe(now + 60_000);
    expect(rateLimitResumeAt(headers({ 'X-RateLimit-Reset': '2026-03-08T10:01:00Z' }), now)).toBe(now + 60_000);
    expect(rateLimitResumeAt(headers({ 'x-rate-limit-reset': String(now / 1000 + 15) }), now)).toBe(now + 15_000);
    expect(rateLimitResumeAt(headers({}), now)).toBeUndefined();
  });

  it('sees an exhausted window in any dialect of *-Remaining', () => {
    expect(rateLimitExhausted(new Headers({ 'X-RateLimit-Remaining': '0' }))).toBe(true);
    expect(rateLimitExhausted(new Headers({ 'ratelimit-remaining': '0' }))).toBe(true);
    expect(rateLimitExhausted(new Headers({ 'x-rate-limit-remaining': '12' }))).toBe(false);
    expect(rateLimitExhausted(new Headers({}))).toBe(false);
  });
});

describe('Link header', () => {
  it("reads Mastodon's next and prev links", () => {
    const links = parseLinkHeader(
      '<https://mastodon.example/api/v1/timelines/tag/%D0%BC%D0%B5%D0%BD?max_id=109>; rel="next", <https://mastodon.example/api/v1/timelines/tag/%D0%BC%D0%B5%D0%BD?min_id=150>; rel="prev"',
    );
    expect(new URL(links.get('next')!).searchParams.get('max_id')).toBe('109');
    expect(new URL(links.get('prev')!).searchParams.get('min_id')).toBe('150');
  });

  it('takes unquoted and multiple relations, and nothing from an absent header', () => {
    const links = parseLinkHeader('<https://a.example/p2>; rel=next; title="more", <https://a.example/p0>; rel="prev previous"');
    expect(links.get('next')).toBe('https://a.example/p2');
    expect(links.get('previous')).toBe('https://a.example/p0');
    expect(parseLinkHeader(null).size).toBe(0);
  });
});
