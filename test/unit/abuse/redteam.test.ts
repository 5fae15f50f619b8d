import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify } from '../../../processors/abuse/classify.js';
import { evaluate, parseDataset, TARGETS } from '../../../processors/abuse/evaluation.js';
import { packageRoot } from '../../../processors/abuse/lexicon.js';

/**
 * Red-team sets (test/fixtures/abuse-redteam*.jsonl), each written before the classifier was run on it;
 * their scores are in docs/abuse-methodology.md. The floors are the scores reached after the general
 * gaps each set showed were fixed, less about one post's worth, so a lexicon or matching change that
 * loses ground on them fails here.
 */
const FLOORS = [
  { file: 'abuse-redteam.jsonl', abusiveF1: 0.97, towardWomenF1: 0.97 },
  { file: 'abuse-redteam2.jsonl', abusiveF1: 0.95, towardWomenF1: 0.95 },
  { file: 'abuse-redteam3.jsonl', abusiveF1: 0.95, towardWomenF1: 0.93 },
];

describe.each(FLOORS)('red-team set $file', ({ file, abusiveF1, towardWomenF1 }) => {
  const evaluation = evaluate(parseDataset(readFileSync(join(packageRoot(), 'test', 'fixtures', file), 'utf8')), classify);
  const mistakes = JSON.stringify(evaluation.mistakes, null, 1);

  it(`abusive F1 ≥ ${abusiveF1}, toward_women F1 ≥ ${towardWomenF1}`, () => {
    expect(evaluation.abusive.f1, mistakes).toBeGreaterThanOrEqual(abusiveF1);
    expect(evaluation.towardWomen.f1, mistakes).toBeGreaterThanOrEqual(towardWomenF1);
  });

  it(`flags at most ${TARGETS.maxQuotingFalsePositiveRate * 100}% of its testimony, counter-speech and news`, () => {
    expect(evaluation.quotingFalsePositives.rate, mistakes).toBeLessThanOrEqual(TARGETS.maxQuotingFalsePositiveRate);
  });
});
