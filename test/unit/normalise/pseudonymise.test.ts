import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UserFacingError } from '../../../cli/command.js';
import { createPseudonymiser } from '../../../processors/normalise/pseudonymise.js';

const KEY = 'k'.repeat(16) + '0123456789abcdef';
const ON = { pseudonymise: true, keyEnv: 'TAGPULSE_PSEUDONYM_KEY' };
const env = { TAGPULSE_PSEUDONYM_KEY: KEY };
const PSEUDONYM = /^h1:[0-9a-f]{32}$/;

const expected = (key: string, qualified: string) =>
  `h1:${createHmac('sha256', key).update(qualified).digest('hex').slice(0, 32)}`;

describe('createPseudonymiser (on)', () => {
  const pseudonymiser = createPseudonymiser(ON, env);

  it('is HMAC-SHA256 of the platform-qualified id under the key, truncated to 32 hex characters', () => {
    expect(pseudonymiser.enabled).toBe(true);
    expect(pseudonymiser.id('vk', '12345')).toBe(expected(KEY, 'vk:12345'));
    expect(pseudonymiser.id('vk', '12345')).toMatch(PSEUDONYM);
  });

  it('is stable across instances with the same key', () => {
    expect(createPseudonymiser(ON, { ...env }).id('x', '42')).toBe(pseudonymiser.id('x', '42'));
  });

  it('depends on the key', () => {
    const other = createPseudonymiser(ON, { TAGPULSE_PSEUDONYM_KEY: `${KEY}-other` });
    expect(other.id('x', '42')).not.toBe(pseudonymiser.id('x', '42'));
  });

  it('qualifies by platform', () => {
    expect(pseudonymiser.id('x', '42')).not.toBe(pseudonymiser.id('telegram', '42'));
  });

  it('lowercases handles and drops a leading @', () => {
    expect(pseudonymiser.handle('x', '@Aigerim_K')).toBe(expected(KEY, 'x:aigerim_k'));
    expect(pseudonymiser.handle('x', 'aigerim_k')).toBe(pseudonymiser.handle('x', '@AIGERIM_K'));
  });

  it('pseudonymises both author fields and keeps absent ones absent', () => {
    expect(pseudonymiser.author('mastodon', { id: '1', handle: '@Dana@mastodon.social' })).toEqual({
      id: expected(KEY, 'mastodon:1'),
      handle: expected(KEY, 'mastodon:dana@mastodon.social'),
    });
    expect(pseudonymiser.author('vk', { id: '7' })).toEqual({ id: expected(KEY, 'vk:7') });
    expect(pseudonymiser.author('vk', {})).toEqual({});
  });

  it('replaces @mentions in text with the handle pseudonyms', () => {
    const h = (handle: string) => pseudonymiser.handle('x', handle);
    expect(pseudonymiser.pseudonymiseMentions('@aigerim_k ты просто... cc @Dana_S.', 'x')).toBe(
      `@${h('aigerim_k')} ты просто... cc @${h('dana_s')}.`,
    );
    expect(pseudonymiser.pseudonymiseMentions('(@Әсем) және @user.name!', 'x')).toBe(`(@${h('әсем')}) және @${h('user.name')}!`);
  });

  it('keeps a fediverse or Bluesky domain with the handle', () => {
    const text = 'hi @dana@mastodon.social and @alice.bsky.social';
    expect(pseudonymiser.pseudonymiseMentions(text, 'mastodon')).toBe(
      `hi @${pseudonymiser.handle('mastodon', 'dana@mastodon.social')} and @${pseudonymiser.handle('mastodon', 'alice.bsky.social')}`,
    );
  });

  it('leaves e-mail addresses, URL paths and a lone @ alone', () => {
    const text = 'write to press@vlast.kz, see https://x.com/@someone or meet @ 12:00';
    expect(pseudonymiser.pseudonymiseMentions(text, 'x')).toBe(text);
  });
});

describe('createPseudonymiser refuses to run without a key', () => {
  it.each([
    ['missing', {}],
    ['empty', { TAGPULSE_PSEUDONYM_KEY: '' }],
    ['too short', { TAGPULSE_PSEUDONYM_KEY: 'x'.repeat(31) }],
  ])('key %s: a one-line UserFacingError that says what to do', (_case, environment) => {
    let error: unknown;
    try {
      createPseudonymiser(ON, environment);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserFacingError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain('set TAGPULSE_PSEUDONYM_KEY to a random secret of at least 32 characters');
    expect(message).toContain('openssl rand -hex 32');
    expect(message).toContain('privacy.pseudonymise=false');
  });

  it('names the configured variable', () => {
    expect(() => createPseudonymiser({ pseudonymise: true, keyEnv: 'MY_KEY' }, env)).toThrow(/MY_KEY is not set/);
  });

  it('accepts a key of exactly 32 characters', () => {
    expect(createPseudonymiser(ON, { TAGPULSE_PSEUDONYM_KEY: 'x'.repeat(32) }).id('x', '1')).toMatch(PSEUDONYM);
  });
});

describe('createPseudonymiser (opted out)', () => {
  const clear = createPseudonymiser({ pseudonymise: false, keyEnv: 'TAGPULSE_PSEUDONYM_KEY' }, {});

  it('needs no key and returns the clear values', () => {
    expect(clear.enabled).toBe(false);
    expect(clear.id('vk', '12345')).toBe('12345');
    expect(clear.handle('x', '@Aigerim_K')).toBe('@Aigerim_K');
    expect(clear.author('x', { id: '1', handle: 'dana' })).toEqual({ id: '1', handle: 'dana' });
    expect(clear.pseudonymiseMentions('@aigerim_k hi', 'x')).toBe('@aigerim_k hi');
  });
});
