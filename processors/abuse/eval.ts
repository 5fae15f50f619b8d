/**
 * `npm run eval:abuse [-- DATASET.jsonl]`: evaluates the classifier on the labelled dev set (default
 * ../shared/datasets/abuse-dev.jsonl from the package root), prints the scores, and exits 1 when the
 * targets in evaluation.ts are missed (2 when the dataset cannot be read).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createClassifier } from './classify.js';
import { evaluate, formatEvaluation, missedTargets, parseDataset } from './evaluation.js';
import { loadLexicon, packageRoot } from './lexicon.js';

const path = process.argv[2] ? resolve(process.argv[2]) : join(packageRoot(), '..', 'shared', 'datasets', 'abuse-dev.jsonl');
let posts;
try {
  posts = parseDataset(readFileSync(path, 'utf8'));
} catch (error) {
  process.stderr.write(`eval:abuse: ${path}: ${(error as Error).message}\n`);
  process.exit(2);
}
const lexicon = loadLexicon();
const evaluation = evaluate(posts, createClassifier(lexicon));
process.stdout.write(`${lexicon.version} on ${path} (${posts.length} posts)\n\n${formatEvaluation(evaluation)}`);
const missed = missedTargets(evaluation);
if (missed.length > 0) {
  process.stderr.write(`\nTargets missed:\n${missed.map((m) => `  - ${m}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('\nAll targets met.\n');
