import type { z } from 'zod';
import { describeIssues } from '../../../infra/config.js';
import type { Logger } from '../../../infra/log.js';
import type { Clock } from '../../framework/clock.js';
import { expectOk, jsonBody, ResponseFormatError, type HttpClient } from '../../framework/http.js';
import { LimitReachedError, SourceSetupError } from '../../framework/source.js';
import { VkEnvelope } from './schema.js';

export const VK_API_VERSION = '5.199';

/** VK's error codes the collector acts on (dev.vk.com/ru/reference/errors). */
export const VK_ERROR = {
  unknown: 1,
  authorisationFailed: 5,
  tooManyRequestsPerSecond: 6,
  floodControl: 9,
  internal: 10,
  accessDenied: 15,
  userDeletedOrBanned: 18,
  rateLimitReached: 29,
  privateProfile: 30,
  commentsAccessDenied: 212,
} as const;

/** Momentary errors: the per-second limit, VK's own failures. Retried after a wait that grows by a second each time. */
const RETRIED = new Set<number>([VK_ERROR.unknown, VK_ERROR.tooManyRequestsPerSecond, VK_ERROR.internal]);
const RETRIES = 5;
const RETRY_STEP_MS = 1000;
/** VK allows three calls a second per token; calls are spaced so the per-second limit (error 6) is the exception. */
const MIN_CALL_INTERVAL_MS = 334;

/** An error VK answered in the body of a 200, which the caller may know how to take (a post's comments closed). */
export class VkApiError extends Error {
  override name = 'VkApiError';
  constructor(
    readonly method: string,
    readonly code: number,
    readonly detail: string,
  ) {
    super(`VK ${method} answered error ${code}: ${detail}`);
  }
}

export interface VkApiOptions {
  baseUrl: URL;
  token: string;
  /** The variable the token came from, for error messages. */
  tokenEnv: string;
  http: HttpClient;
  clock: Clock;
  log: Logger;
}

/**
 * Calls VK API methods. The token travels in a POST body (never in a URL that logs or dead letters could
 * show). VK reports errors in the body of a 200, so they are read here: the per-second limit and VK's own
 * failures are waited out and retried, flood control (9) and a method's daily limit (29) end the query's run,
 * a refused token (5) stops the source, anything else is the caller's to judge.
 */
export class VkApi {
  private lastCallAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: VkApiOptions) {}

  async call<T>(method: string, params: Record<string, string>, schema: z.ZodType<T>, signal: AbortSignal): Promise<T> {
    const { http, clock, log, token, tokenEnv } = this.options;
    for (let attempt = 0; ; attempt++) {
      await this.pace(signal);
      const response = expectOk(
        await http.request(new URL(`/method/${method}`, this.options.baseUrl), {
          method: 'POST',
          signal,
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({ ...params, v: VK_API_VERSION, access_token: token }).toString(),
        }),
      );
      const { response: result, error } = jsonBody(response, VkEnvelope);
      if (!error) {
        const parsed = schema.safeParse(result);
        if (!parsed.success) throw new ResponseFormatError(`VK ${method} answered an unexpected shape: ${describeIssues(parsed.error.issues)}`);
        return parsed.data;
      }
      const { error_code: code, error_msg: detail } = error;
      if (code === VK_ERROR.authorisationFailed) {
        throw new SourceSetupError(`VK refused the token in ${tokenEnv} (error 5: ${detail}); create a new access token (a service token of your VK app will do)`);
      }
      if (code === VK_ERROR.floodControl) throw new LimitReachedError(`VK flood control (error 9: ${detail}) on ${method}: too many similar requests; the next run continues`);
      if (code === VK_ERROR.rateLimitReached) throw new LimitReachedError(`VK's daily limit for ${method} is reached (error 29: ${detail}); it lifts within a day`);
      if (!RETRIED.has(code)) throw new VkApiError(method, code, detail);
      if (attempt >= RETRIES) {
        if (code === VK_ERROR.tooManyRequestsPerSecond) throw new LimitReachedError(`VK kept answering "too many requests per second" (error 6) on ${method}`);
        throw new VkApiError(method, code, detail);
      }
      const waitMs = RETRY_STEP_MS * (attempt + 1);
      log.warn('VK asked to slow down or failed, retrying', { method, code, detail, attempt, waitMs });
      await clock.sleep(waitMs, signal);
    }
  }

  private async pace(signal: AbortSignal): Promise<void> {
    const waitMs = this.lastCallAt + MIN_CALL_INTERVAL_MS - this.options.clock.now();
    if (waitMs > 0) await this.options.clock.sleep(waitMs, signal);
    this.lastCallAt = this.options.clock.now();
  }
}
