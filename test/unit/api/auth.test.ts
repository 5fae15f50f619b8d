import { describe, expect, it } from 'vitest';
import { authenticate, parseApiKeys, roleAllows } from '../../../api/auth.js';
import { ApiError } from '../../../api/errors.js';
import { RateLimiter } from '../../../api/rate-limit.js';
import { TEST_KEYS, TEST_KEYS_ENV } from '../../support/api.js';

const keys = parseApiKeys(TEST_KEYS_ENV, 'TAGPULSE_API_KEYS');
const url = (query = '') => new URL(`http://localhost/api/trends${query}`);
const who = (headers: Record<string, string>, anonymous = true, query = '') => authenticate(keys, anonymous, headers, url(query), '10.0.0.1');

function refusal(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('API keys', () => {
  it('are read from name:role:key entries, keeping only a digest of each secret', () => {
    expect(keys.map(({ name, role }) => [name, role])).toEqual([['newsroom', 'public'], ['aigerim', 'researcher'], ['ops', 'admin']]);
    expect(JSON.stringify(keys)).not.toContain(TEST_KEYS.admin);
    expect(parseApiKeys(undefined, 'X')).toEqual([]);
  });

  it.each([
    ['bad name!:public:0123456789abcdef01234567', /^K entry 1: the name must be/],
    ['a:superuser:0123456789abcdef01234567', /^K entry 1: the role must be one of public, researcher, admin \(entries are name:role:key\)$/],
    ['a:public:short', /^K entry 1: the key must be at least 24 characters/],
    // A bare key, or the key written first, would otherwise be echoed as the entry's name.
    ['0123456789abcdef01234567', /^K entry 1: the role must be one of/],
    ['0123456789abcdef01234567:researcher:aigerim', /^K entry 1: the key must be at least 24 characters/],
    ['a:public:0123456789abcdef01234567,a:admin:abcdef0123456789abcdef01', /^K entry 2: the name a is used twice$/],
    ['a:public:0123456789abcdef01234567,b:admin:0123456789abcdef01234567', /^K entry 2 \(b\): the same key is given to two names$/],
  ])('refuse a malformed entry without showing its secret: %s', (text, message) => {
    expect(() => parseApiKeys(text, 'K')).toThrow(message);
    expect(() => parseApiKeys(text, 'K')).not.toThrow(/0123456789abcdef/);
  });

  it('identify the caller by a Bearer or X-API-Key header', () => {
    expect(who({ authorization: `Bearer ${TEST_KEYS.researcher}` })).toEqual({ name: 'aigerim', role: 'researcher', bucket: 'aigerim' });
    expect(who({ 'x-api-key': TEST_KEYS.admin })).toMatchObject({ name: 'ops', role: 'admin' });
  });

  it('give a caller without a key the public role when anonymous access is on, rate-limited by address', () => {
    expect(who({})).toEqual({ name: 'anonymous', role: 'public', bucket: 'anonymous@10.0.0.1' });
  });

  it('answer 401 saying why: no key where one is needed, an unknown key, a malformed header, a key in the URL', () => {
    expect(refusal(() => who({}, false))).toMatchObject({ status: 401, message: expect.stringMatching(/needs an API key: send "Authorization: Bearer <key>"/) });
    expect(refusal(() => who({ authorization: `Bearer ${TEST_KEYS.admin}x` }))).toMatchObject({ status: 401, message: expect.stringMatching(/not valid on this server/) });
    expect(refusal(() => who({ authorization: `Basic ${TEST_KEYS.admin}` }))).toMatchObject({ status: 401, message: expect.stringMatching(/must be "Bearer <key>"/) });
    expect(refusal(() => who({}, true, `?api_key=${TEST_KEYS.admin}`))).toMatchObject({ status: 401, message: expect.stringMatching(/in the URL \(api_key=\) is refused, because URLs are logged/) });
  });

  it('rank roles public < researcher < admin', () => {
    expect([roleAllows('public', 'researcher'), roleAllows('researcher', 'researcher'), roleAllows('admin', 'public')]).toEqual([false, true, true]);
  });
});

describe('the rate limiter', () => {
  it('allows a burst, then refills at the sustained rate, per caller, and says how long to wait', () => {
    let now = 0;
    const limiter = new RateLimiter(60, 3, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(1);
    expect(limiter.take('b')).toBe(0);
    now += 1000;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1);
    expect(limiter.describe()).toBe('60 requests a minute, bursts of 3');
  });
});
