import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TagpulseConfig } from '../schemas/index.js';
import { UserFacingError } from '../cli/command.js';

export const DEFAULT_CONFIG_FILE = 'tagpulse.config.json';

/** Formats zod issues as `path: message` pairs, joined so the whole error stays on one line. */
export function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : '(top level)'}: ${issue.message}`)
    .join('; ');
}

/**
 * Loads and validates the config file. An explicit path must exist; the default path may be absent,
 * in which case the built-in defaults apply (a fresh clone runs without any config).
 */
export function loadConfig(path?: string): TagpulseConfig {
  const file = resolve(path ?? process.env.TAGPULSE_CONFIG ?? DEFAULT_CONFIG_FILE);
  const explicit = path !== undefined || process.env.TAGPULSE_CONFIG !== undefined;
  if (!existsSync(file)) {
    if (explicit) throw new UserFacingError(`config file ${file} does not exist; pass an existing file to --config`);
    return TagpulseConfig.parse({});
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserFacingError(`config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = TagpulseConfig.safeParse(json);
  if (!parsed.success) {
    throw new UserFacingError(`config file ${file} is invalid: ${describeIssues(parsed.error.issues)}`);
  }
  return parsed.data;
}
