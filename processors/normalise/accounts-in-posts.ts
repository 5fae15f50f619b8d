import type { Platform } from '../../schemas/index.js';

/**
 * Where a platform's post ids and links name the account that posted: a Telegram id is `<channel>/<number>`, a VK
 * id `<wall owner>_<post>`, a Bluesky id the at-uri `at://<did>/…`, a Mastodon id the status URI
 * `https://<host>/users/<name>/statuses/<id>`; links to X, Telegram, Mastodon, Bluesky and TikTok posts carry the
 * handle. Pseudonymising the author field alone would leave the account readable in every one of these.
 *
 * To add a platform: give its id pattern, if its ids name an account, and its account-free links, if it has any.
 */
interface AccountsInPosts {
  /**
   * Matches a platform id that names an account, capturing the text before the account, the account and the
   * text after it. The account's pseudonym is that of the author id the platform's collector gives for the same
   * account (`Pseudonymiser.id`), so a post's id links to its author's pseudonym where the two are one account.
   */
  idAccount?: { pattern: RegExp; account(match: RegExpExecArray): string };
  /** A link to the post that names no account, made from the link the source gave; none when there is no such link. */
  accountFreeLink?(url: string): string | undefined;
}

/** `https://x.com/<handle>/status/<id>` (or twitter.com, or i/web) → `https://x.com/i/web/status/<id>`, which X resolves. */
const xLink = (url: string) => {
  const id = /^https:\/\/(?:www\.|mobile\.)?(?:x|twitter)\.com\/[^/?#]+\/status\/(\d+)/.exec(url)?.[1];
  return id === undefined ? undefined : `https://x.com/i/web/status/${id}`;
};

/** Links that point at a post by its own id alone: kept as they are. */
const keptIf = (pattern: RegExp) => (url: string) => (pattern.test(url) ? url : undefined);

export const ACCOUNTS_IN_POSTS: Readonly<Record<Platform, AccountsInPosts>> = {
  telegram: { idAccount: { pattern: /^()([^/]+)(\/\d+)$/, account: (m) => m[2]!.toLowerCase() } },
  vk: { idAccount: { pattern: /^()(-?\d+)(_\d+(?:_\d+)?)$/, account: (m) => m[2]! } },
  bluesky: { idAccount: { pattern: /^(at:\/\/)(did:[^/]+)(\/.*)?$/, account: (m) => m[2]! } },
  // Mastodon and Pleroma name the account in the path (`/users/<name>/`, `/@<name>/`); Misskey's `/notes/<id>`
  // names none and is kept.
  mastodon: {
    idAccount: { pattern: /^(https?:\/\/[^/]+\/(?:users\/|@))([^/]+)(\/.*)$/, account: (m) => `${m[2]!.toLowerCase()}@${new URL(m[1]!).host}` },
  },
  x: { accountFreeLink: xLink },
  youtube: { accountFreeLink: keptIf(/^https:\/\/(?:www\.)?youtube\.com\/watch\?v=[\w-]+(?:&lc=[\w.-]+)?$/) },
  instagram: { accountFreeLink: keptIf(/^https:\/\/(?:www\.)?instagram\.com\/(?:p|reel|tv)\/[\w-]+\/?$/) },
  tiktok: {},
  // A researcher's own import: its ids and links follow no known pattern, so its links are not kept.
  generic: {},
};
