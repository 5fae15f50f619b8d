import type { z } from 'zod';
import { describeIssues } from '../../infra/config.js';
import { createLogger, type Logger } from '../../infra/log.js';
import { backoffDelay, systemClock, type BackoffPolicy, type Clock } from './clock.js';
import { rateLimitExhausted, rateLimitResumeAt } from './headers.js';

/** A response with its body already read (so the per-request timeout covers the body too). */
export interface HttpResponse {
  url: string;
  status: number;
  headers: Headers;
  body: string;
}

/** The platform answered with a status the collector cannot recover from by waiting. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly response: HttpResponse,
    message = `${response.status} from ${response.url}: ${snippet(response.body)}`,
  ) {
    super(message);
  }
}

/** The platform asked for a wait longer than the collector honours within one run; the cursor keeps its place. */
export class RateLimitError extends Error {
  override name = 'RateLimitError';
  constructor(
    readonly url: string,
    readonly resumeAt: number,
  ) {
    super(`rate limited by ${new URL(url).host} until ${new Date(resumeAt).toISOString()}; the next run resumes from the stored cursor`);
  }
}

export interface HttpClientOptions {
  /** Per-attempt timeout, covering connection, headers and body. */
  timeoutMs: number;
  clock?: Clock;
  /** Source of jitter, injectable so backoff is deterministic in tests. */
  random?: () => number;
  log?: Logger;
  /** Further attempts after the first on 408/429/5xx and network errors. */
  retries?: number;
  backoff?: BackoffPolicy;
  /** The longest rate-limit wait honoured inside a run. */
  maxRateLimitWaitMs?: number;
  userAgent?: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /**
   * Sees every response before the client retries or waits, and may throw for one the source recognises and
   * waiting cannot cure (X's monthly usage cap answers 429 like a rate limit, but its reset is a month away).
   */
  inspect?: (response: HttpResponse) => void;
}

const RETRIABLE = new Set([408, 429, 500, 502, 503, 504]);

/** Says who is asking, as platforms' API terms expect of research crawlers. */
export const DEFAULT_USER_AGENT = 'tagpulse-collector/0.1 (hashtag-activism research)';

/**
 * The one HTTP helper every polling source uses. It honours the platform's own rate-limit signals
 * (`Retry-After` as seconds or HTTP-date, `RateLimit-Reset`, `X-RateLimit-Reset` as ISO date or epoch seconds,
 * `x-rate-limit-reset`), pauses an origin whose window a successful response says is used up, retries 5xx,
 * timeouts and network errors with capped exponential backoff and full jitter, and never retries other 4xx
 * (the source decides what those mean: an expired token, a missing credential).
 */
export class HttpClient {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly log: Logger;
  private readonly retries: number;
  private readonly backoff: BackoffPolicy;
  private readonly maxRateLimitWaitMs: number;
  private readonly userAgent: string;
  /** Per origin: no request before this epoch ms, because the platform said the window is used up. */
  private readonly pausedUntil = new Map<string, number>();

  constructor(private readonly options: HttpClientOptions) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.log = options.log ?? createLogger('collect.http');
    this.retries = options.retries ?? 5;
    this.backoff = options.backoff ?? { baseMs: 1000, capMs: 60_000 };
    this.maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? 16 * 60_000;
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  }

  async request(url: string | URL, options: RequestOptions = {}): Promise<HttpResponse> {
    const target = new URL(url);
    for (let attempt = 0; ; attempt++) {
      await this.waitForWindow(target, options.signal);
      let response: HttpResponse;
      try {
        response = await this.attempt(target, options);
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        if (attempt >= this.retries) throw new Error(`${target.href} failed after ${attempt + 1} attempts: ${(error as Error).message}`, { cause: error });
        const waitMs = backoffDelay(attempt, this.backoff, this.random);
        this.log.warn('request failed, retrying', { url: target.href, attempt, error, waitMs });
        await this.clock.sleep(waitMs, options.signal);
        continue;
      }
      options.inspect?.(response);
      if (rateLimitExhausted(response.headers)) {
        const resumeAt = rateLimitResumeAt(response.headers, this.clock.now());
        if (resumeAt !== undefined) this.pausedUntil.set(target.origin, resumeAt);
      }
      if (!RETRIABLE.has(response.status)) return response;
      if (attempt >= this.retries) throw new HttpError(response, `${response.status} from ${target.href} after ${attempt + 1} attempts: ${snippet(response.body)}`);
      const now = this.clock.now();
      const resumeAt = rateLimitResumeAt(response.headers, now);
      const waitMs = resumeAt === undefined ? backoffDelay(attempt, this.backoff, this.random) : Math.max(0, resumeAt - now);
      if (waitMs > this.maxRateLimitWaitMs) throw new RateLimitError(target.href, now + waitMs);
      this.log.warn(response.status === 429 ? 'rate limited, waiting' : 'server error, retrying', {
        url: target.href,
        status: response.status,
        attempt,
        waitMs,
        advertised: resumeAt !== undefined,
      });
      await this.clock.sleep(waitMs, options.signal);
    }
  }

  private async waitForWindow(target: URL, signal: AbortSignal | undefined): Promise<void> {
    const until = this.pausedUntil.get(target.origin);
    if (until === undefined) return;
    this.pausedUntil.delete(target.origin);
    const waitMs = until - this.clock.now();
    if (waitMs <= 0) return;
    if (waitMs > this.maxRateLimitWaitMs) throw new RateLimitError(target.href, until);
    this.log.info('rate-limit window used up, waiting for its reset', { origin: target.origin, waitMs });
    await this.clock.sleep(waitMs, signal);
  }

  private async attempt(target: URL, options: RequestOptions): Promise<HttpResponse> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const response = await fetch(target, {
      method: options.method ?? 'GET',
      headers: { 'user-agent': this.userAgent, ...options.headers },
      body: options.body,
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      redirect: 'follow',
    });
    return { url: response.url || target.href, status: response.status, headers: response.headers, body: await response.text() };
  }
}

/** The start of a body, on one line, for error messages. */
export function snippet(body: string, max = 200): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** A whole response (not one item) is not what the platform documents: the platform changed, a human must look. */
export class ResponseFormatError extends Error {
  override name = 'ResponseFormatError';
}

/** The response's status, when it is not a success, as an error naming URL and body. */
export function expectOk(response: HttpResponse): HttpResponse {
  if (response.status < 200 || response.status > 299) throw new HttpError(response);
  return response;
}

/** The body as JSON of the documented top-level shape; items inside are validated one by one by the source. */
export function jsonBody<T>(response: HttpResponse, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(response.body);
  } catch {
    throw new ResponseFormatError(`${response.url} did not answer JSON: ${snippet(response.body)}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ResponseFormatError(`${response.url} answered an unexpected shape: ${describeIssues(parsed.error.issues)}`);
  return parsed.data;
}
