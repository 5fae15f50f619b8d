/**
 * Pure parsing of the HTTP headers collectors act on: rate-limit signals and `Link` pagination.
 * Each platform speaks its own dialect, so every function says which one it reads.
 */

/** A reset value this large is an epoch time in seconds; smaller ones are delta-seconds (the IETF draft's meaning). */
const EPOCH_SECONDS_THRESHOLD = 1_000_000_000;

const NUMBER = /^\s*\d+(\.\d+)?\s*$/;

/** `Retry-After` (RFC 9110): delta-seconds or an HTTP-date. Returns the epoch ms at which to retry. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  if (NUMBER.test(value)) return nowMs + Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : date;
}

/**
 * A rate-limit reset value as platforms send it: Mastodon's `X-RateLimit-Reset` is an ISO date, Bluesky's
 * `RateLimit-Reset` and most others' are epoch seconds, the IETF draft's `RateLimit-Reset` is delta-seconds.
 * Numbers are told apart by size (no reset is 30 years away); anything else is parsed as a date.
 */
export function parseResetValue(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  if (NUMBER.test(value)) {
    const n = Number(value);
    return n >= EPOCH_SECONDS_THRESHOLD ? n * 1000 : nowMs + n * 1000;
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : date;
}

const RESET_HEADERS = ['ratelimit-reset', 'x-ratelimit-reset', 'x-rate-limit-reset'] as const;
const REMAINING_HEADERS = ['ratelimit-remaining', 'x-ratelimit-remaining', 'x-rate-limit-remaining'] as const;

/**
 * When the platform says requests may resume, from the first signal present: `Retry-After`, then the reset
 * headers (`RateLimit-Reset`, `X-RateLimit-Reset`, `x-rate-limit-reset`). Undefined when it says nothing usable.
 */
export function rateLimitResumeAt(headers: Headers, nowMs: number): number | undefined {
  const retryAfter = parseRetryAfter(headers.get('retry-after'), nowMs);
  if (retryAfter !== undefined) return retryAfter;
  for (const name of RESET_HEADERS) {
    const reset = parseResetValue(headers.get(name), nowMs);
    if (reset !== undefined) return reset;
  }
  return undefined;
}

/** True when a successful response says the window is used up (`*-Remaining: 0`), so the next request would be refused. */
export function rateLimitExhausted(headers: Headers): boolean {
  return REMAINING_HEADERS.some((name) => {
    const value = headers.get(name);
    return value !== null && NUMBER.test(value) && Number(value) <= 0;
  });
}

/**
 * An RFC 8288 `Link` header as a map from relation to URL, e.g. Mastodon's
 * `<https://x/api/v1/timelines/tag/a?max_id=9>; rel="next", <…?min_id=12>; rel="prev"`.
 */
export function parseLinkHeader(value: string | null): Map<string, string> {
  const links = new Map<string, string>();
  if (!value) return links;
  for (const match of value.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const [, url, params] = match;
    const rel = /;\s*rel\s*=\s*"?([^";,]+)"?/i.exec(params ?? '')?.[1];
    if (url === undefined || rel === undefined) continue;
    for (const name of rel.trim().split(/\s+/)) links.set(name.toLowerCase(), url);
  }
  return links;
}
