import { join } from 'node:path';
import { writeGenericJsonl } from '../test/fixtures/imports/generate.js';

/**
 * Writes the generic-jsonl file the import-throughput benchmark reads (`tagpulse import --format generic-jsonl`),
 * with the same deterministic items as the import tests, and returns its path.
 */
export async function generateImportBenchFile(dir: string, items: number): Promise<string> {
  const path = join(dir, `import-bench-${items}.jsonl`);
  await writeGenericJsonl(path, items);
  return path;
}
