import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { UserFacingError } from '../cli/command.js';
import { Role } from '../schemas/index.js';
import { ApiError } from './errors.js';

/** A configured key: its name (for logs and rate limits), its role, and the SHA-256 of the secret (never the secret). */
export interface ApiKey {
  name: string;
  role: Role;
  digest: Buffer;
}

/** Who is asking: a named key, or an anonymous caller (public role) known by address for its rate limit. */
export interface Principal {
  name: string;
  role: Role;
  /** The rate-limit bucket: the key name, or `anonymous@<address>`. */
  bucket: string;
}

const RANK: Record<Role, number> = { public: 0, researcher: 1, admin: 2 };

export function roleAllows(role: Role, required: Role): boolean {
  return RANK[role] >= RANK[required];
}

/** Short keys can be guessed; 24 characters of `openssl rand -hex 16`-like randomness cannot. */
const MIN_KEY_LENGTH = 24;
const KEY_NAME = /^[A-Za-z0-9._-]{1,64}$/;

const digest = (secret: string) => createHash('sha256').update(secret, 'utf8').digest();

/**
 * The keys of `TAGPULSE_API_KEYS` (or the variable `api.keysEnv` names): `name:role:key` entries separated by
 * commas, e.g. `newsroom:public:…,aigerim:researcher:…,ops:admin:…`. A malformed entry stops the server with a
 * message naming the variable and the entry's position, never its secret.
 */
export function parseApiKeys(text: string | undefined, envName: string): ApiKey[] {
  if (text === undefined || text.trim() === '') return [];
  const keys: ApiKey[] = [];
  text.split(',').forEach((entry, i) => {
    const where = `${envName} entry ${i + 1}`;
    const [name = '', role = '', ...rest] = entry.trim().split(':');
    const secret = rest.join(':');
    if (!KEY_NAME.test(name)) throw new UserFacingError(`${where}: the name must be 1-64 letters, digits, '.', '_' or '-' (entries are name:role:key, comma-separated)`);
    // Until the entry has the shape name:role:key, its first part may be the secret itself (a bare key, or the
    // key written first): the messages name the entry by its position only.
    if (!Role.safeParse(role).success) throw new UserFacingError(`${where}: the role must be one of ${Role.options.join(', ')} (entries are name:role:key)`);
    if (secret.length < MIN_KEY_LENGTH) throw new UserFacingError(`${where}: the key must be at least ${MIN_KEY_LENGTH} characters; make one with \`openssl rand -hex 24\``);
    if (keys.some((k) => k.name === name)) throw new UserFacingError(`${where}: the name ${name} is used twice`);
    const d = digest(secret);
    if (keys.some((k) => timingSafeEqual(k.digest, d))) throw new UserFacingError(`${where} (${name}): the same key is given to two names`);
    keys.push({ name, role: role as Role, digest: d });
  });
  return keys;
}

/** The key a request carries: `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw new ApiError(401, 'the Authorization header must be "Bearer <key>"', undefined, { 'www-authenticate': 'Bearer' });
    return match[1];
  }
  const header = headers['x-api-key'];
  return Array.isArray(header) ? header[0] : header;
}

/** Parameters that would carry a key in the URL, where it ends up in proxy and server logs. */
const KEY_PARAMETERS = ['api_key', 'apikey', 'key', 'token', 'access_token'];

/** A 401 for a key in the URL, on every route, open ones too: the URL is already in some log, and the key must change. */
export function refuseKeyInUrl(url: URL): void {
  const inUrl = KEY_PARAMETERS.find((name) => url.searchParams.has(name));
  if (inUrl !== undefined) {
    throw new ApiError(401, `an API key in the URL (${inUrl}=) is refused, because URLs are logged; send it as "Authorization: Bearer <key>" or "X-API-Key: <key>"`);
  }
}

/**
 * Identifies the caller. A presented key is hashed and compared with every configured key's hash in constant
 * time (timingSafeEqual on equal-length digests, no early exit), so neither timing nor length says how close a
 * guess was. No key is the public role when anonymous access is on, else a 401 saying how to send one.
 */
export function authenticate(keys: readonly ApiKey[], anonymous: boolean, headers: IncomingHttpHeaders, url: URL, address: string): Principal {
  refuseKeyInUrl(url);
  const secret = presentedKey(headers);
  if (secret === undefined || secret === '') {
    if (anonymous) return { name: 'anonymous', role: 'public', bucket: `anonymous@${address}` };
    throw new ApiError(401, 'this server needs an API key: send "Authorization: Bearer <key>" or "X-API-Key: <key>"', undefined, { 'www-authenticate': 'Bearer' });
  }
  const given = digest(secret);
  let found: ApiKey | undefined;
  for (const key of keys) if (timingSafeEqual(key.digest, given) && found === undefined) found = key;
  if (!found) throw new ApiError(401, 'the API key is not valid on this server (unknown or revoked); ask its operator for one', undefined, { 'www-authenticate': 'Bearer error="invalid_token"' });
  return { name: found.name, role: found.role, bucket: found.name };
}
