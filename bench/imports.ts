import { join } from 'node:path';
import { writeGenericJsonl, type PostingTimes } from '../test/fixtures/imports/generate.js';

/**
 * Writes the generic-jsonl file the import-throughput benchmark reads (`tagpulse import --format generic-jsonl`),
 * with the same deterministic items as the import tests (67 s apart unless `postedAt` says otherwise), and
 * returns its path.
 */
export async function generateImportBenchFile(dir: string, items: number, postedAt?: PostingTimes): Promise<string> {
  const path = join(dir, `import-bench-${items}.jsonl`);
  await writeGenericJsonl(path, items, postedAt);
  return path;
}
