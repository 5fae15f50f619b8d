import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { UserFacingError } from '../../cli/command.js';
import type { AuthorRef, Platform, TagpulseConfig } from '../../schemas/index.js';
import { ACCOUNTS_IN_POSTS } from './accounts-in-posts.js';

export const PSEUDONYM_PREFIX = 'h1:';
const MIN_KEY_LENGTH = 32;
/** 32 hex characters = 128 bits: collisions are negligible at any realistic number of accounts. */
const PSEUDONYM_HEX_LENGTH = 32;
/** Pseudonyms kept to skip recomputing them: about 10 MB at most. */
const REMEMBERED_PSEUDONYMS = 65_536;

/**
 * An @mention: not after a letter, digit, '.', '/' or '@' (so e-mail addresses and URL paths are not
 * mentions), optionally with a fediverse or Bluesky domain (@user@host, @user.bsky.social), never ending in
 * punctuation ("@aigerim_k." mentions aigerim_k).
 */
const MENTION = /(?<![\p{L}\p{M}\p{N}_.\/@])@([\p{L}\p{N}_](?:[\p{L}\p{M}\p{N}_.-]*[\p{L}\p{M}\p{N}_])?(?:@[\p{L}\p{N}](?:[\p{L}\p{N}.-]*[\p{L}\p{N}])?)?)/gu;

export interface Pseudonymiser {
  /** False when the deployment opted out (privacy.pseudonymise = false): every method returns clear values. */
  readonly enabled: boolean;
  /** `h1:` + HMAC of `platform:id`. */
  id(platform: Platform, id: string): string;
  /** `h1:` + HMAC of `platform:handle`, the handle lowercased and without a leading '@'. */
  handle(platform: Platform, handle: string): string;
  /** An author reference with both fields pseudonymised (absent fields stay absent). */
  author(platform: Platform, author: AuthorRef): AuthorRef;
  /**
   * The text with every @handle replaced by `@h1:...`, the same pseudonym `handle()` gives, so replies and
   * mentions still link to authors. Handles of activists in a post identify them as much as the author field.
   */
  pseudonymiseMentions(text: string, platform: Platform): string;
  /**
   * A platform id with the account it names replaced by `id()` of that account (`telegram:seruen_kz/50` →
   * `telegram:h1:…/50`); ids naming no account unchanged (accounts-in-posts.ts).
   */
  platformId(platform: Platform, platformId: string): string;
  /** A link to the post that names no account (X's `i/web/status/<id>`), or none (accounts-in-posts.ts). */
  link(platform: Platform, url: string | undefined): string | undefined;
}

function normaliseHandle(handle: string): string {
  return (handle.startsWith('@') ? handle.slice(1) : handle).toLowerCase();
}

/**
 * The deployment's pseudonymiser: keyed HMAC-SHA256, so the mapping is stable across runs and machines with
 * the same key and cannot be reversed or recomputed (a dictionary of known handles) without it.
 */
export function createPseudonymiser(
  privacy: Pick<TagpulseConfig['privacy'], 'pseudonymise' | 'keyEnv'>,
  env: NodeJS.ProcessEnv = process.env,
): Pseudonymiser {
  if (!privacy.pseudonymise) {
    return {
      enabled: false,
      id: (_platform, id) => id,
      handle: (_platform, handle) => handle,
      author: (_platform, author) => ({ ...author }),
      pseudonymiseMentions: (text) => text,
      platformId: (_platform, platformId) => platformId,
      link: (_platform, url) => url,
    };
  }
  const secret = env[privacy.keyEnv];
  if (secret === undefined || secret.length < MIN_KEY_LENGTH) {
    const problem = secret === undefined || secret === '' ? 'is not set' : `is shorter than ${MIN_KEY_LENGTH} characters`;
    throw new UserFacingError(
      `pseudonymisation is on but ${privacy.keyEnv} ${problem}: set ${privacy.keyEnv} to a random secret of at least ` +
        `${MIN_KEY_LENGTH} characters, e.g. \`openssl rand -hex 32\`, or opt out with privacy.pseudonymise=false in the config`,
    );
  }
  const key: KeyObject = createSecretKey(Buffer.from(secret, 'utf8'));
  // The same few thousand accounts write most posts of a campaign: remembering their pseudonyms saves an HMAC per
  // author and mention (a twentieth of the normalise stage's time). Bounded, oldest first out; in memory only.
  const remembered = new Map<string, string>();
  const pseudonym = (qualified: string) => {
    let value = remembered.get(qualified);
    if (value === undefined) {
      value = PSEUDONYM_PREFIX + createHmac('sha256', key).update(qualified, 'utf8').digest('hex').slice(0, PSEUDONYM_HEX_LENGTH);
      if (remembered.size >= REMEMBERED_PSEUDONYMS) remembered.delete(remembered.keys().next().value!);
      remembered.set(qualified, value);
    }
    return value;
  };
  const handle = (platform: Platform, value: string) => pseudonym(`${platform}:${normaliseHandle(value)}`);
  const id = (platform: Platform, value: string) => pseudonym(`${platform}:${value}`);
  return {
    enabled: true,
    id,
    handle,
    author(platform, author) {
      const ref: AuthorRef = {};
      if (author.id !== undefined) ref.id = id(platform, author.id);
      if (author.handle !== undefined) ref.handle = handle(platform, author.handle);
      return ref;
    },
    pseudonymiseMentions: (text, platform) =>
      text.includes('@') ? text.replace(MENTION, (_mention, name: string) => `@${handle(platform, name)}`) : text,
    platformId(platform, platformId) {
      const rule = ACCOUNTS_IN_POSTS[platform].idAccount;
      const match = rule?.pattern.exec(platformId);
      return match ? `${match[1]}${id(platform, rule!.account(match))}${match[3] ?? ''}` : platformId;
    },
    link: (platform, url) => (url === undefined ? undefined : ACCOUNTS_IN_POSTS[platform].accountFreeLink?.(url)),
  };
}
