import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package root: the nearest folder above this module with a package.json (works from source and from dist/). */
export const PACKAGE_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('tagpulse: cannot find the package root (no package.json above the code)');
    dir = parent;
  }
  return dir;
})();

/** Where the local stack keeps data, logs and pid files: gitignored `.tagpulse/` in the project, or TAGPULSE_HOME. */
export function stackHome(): string {
  return resolve(process.env.TAGPULSE_HOME ?? join(PACKAGE_ROOT, '.tagpulse'));
}

/** Where Maven-resolved server jars are cached, outside git and shared between clones: TAGPULSE_JAR_CACHE or ~/.cache/tagpulse/jars. */
export function jarCache(): string {
  return resolve(process.env.TAGPULSE_JAR_CACHE ?? join(homedir(), '.cache', 'tagpulse', 'jars'));
}
