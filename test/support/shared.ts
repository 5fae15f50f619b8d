import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../infra/local/paths.js';

/**
 * A file of the shared datasets that sit beside the project (`../shared/datasets/`), as CI and every developer
 * machine have them. Read, never copied, so tests follow the dataset when it grows.
 */
export function sharedDatasetPath(name: string): string {
  return join(PACKAGE_ROOT, '..', 'shared', 'datasets', name);
}

export function readSharedJsonl<T>(name: string): T[] {
  return readFileSync(sharedDatasetPath(name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

export function readSharedJson<T>(name: string): T {
  return JSON.parse(readFileSync(sharedDatasetPath(name), 'utf8')) as T;
}
