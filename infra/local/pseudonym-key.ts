import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The key file `tagpulse start` keeps in the local stack's home when the environment gives no key. */
export const LOCAL_KEY_FILE = 'pseudonym.key';

export type KeySource = 'environment' | 'created' | 'stack home';

/**
 * Gives the local quick start a pseudonymisation key without ever putting one in the repo: when the
 * variable is unset, a random 256-bit key is created once in the stack home (gitignored, mode 0600) and
 * reused by every later start, so pseudonyms stay stable across restarts. Deployments set the variable
 * themselves; the processors on their own (`tagpulse process`) still refuse to run without it.
 */
export function ensureLocalPseudonymKey(home: string, keyEnv: string, env: NodeJS.ProcessEnv = process.env): KeySource {
  if (env[keyEnv]) return 'environment';
  const file = join(home, LOCAL_KEY_FILE);
  const existed = existsSync(file);
  if (!existed) {
    mkdirSync(home, { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  env[keyEnv] = readFileSync(file, 'utf8').trim();
  return existed ? 'stack home' : 'created';
}
