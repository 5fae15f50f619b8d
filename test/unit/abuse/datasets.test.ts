import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify } from '../../../processors/abuse/classify.js';
import { evaluate, missedTargets, parseDataset, TARGETS } from '../../../processors/abuse/evaluation.js';
import { packageRoot } from '../../../processors/abuse/lexicon.js';

const devSet = join(packageRoot(), '..', 'shared', 'datasets', 'abuse-dev.jsonl');
const heldOut = join(packageRoot(), 'test', 'fixtures', 'abuse-heldout.jsonl');

describe.each([
  ['the dev set (shared/datasets/abuse-dev.jsonl)', devSet],
  ['the held-out set (test/fixtures/abuse-heldout.jsonl)', heldOut],
])('targets on %s', (_name, path) => {
  it.runIf(existsSync(path))(
    `toward_women F1 ≥ ${TARGETS.towardWomenF1}, ≤ ${TARGETS.maxQuotingFalsePositiveRate * 100}% of testimony, counter-speech and news flagged`,
    () => {
      const evaluation = evaluate(parseDataset(readFileSync(path, 'utf8')), classify);
      expect(missedTargets(evaluation), JSON.stringify(evaluation.mistakes, null, 1)).toEqual([]);
      expect(evaluation.towardWomen.f1).toBeGreaterThanOrEqual(TARGETS.towardWomenF1);
      expect(evaluation.quotingFalsePositives.rate).toBeLessThanOrEqual(TARGETS.maxQuotingFalsePositiveRate);
    },
  );
});

describe('evaluation', () => {
  it('names the line of a malformed dataset row', () => {
    expect(() => parseDataset('{"text":"a","abusive":false,"toward_women":false,"categories":[]}\n{"text":1}')).toThrow(/^line 2: /);
  });
});
