import { describe, expect, it } from 'vitest';
import { association, wilsonInterval } from '../../../api/measures.js';

describe('the Wilson interval', () => {
  // Published values: Newcombe (1998), Statistics in Medicine 17:857-872, table II, method 3 (Wilson score).
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i of %i is [%f, %f]', (k, n, low, high) => {
    const interval = wilsonInterval(k, n)!;
    expect(interval.low).toBeCloseTo(low, 4);
    expect(interval.high).toBeCloseTo(high, 4);
  });

  it('stays inside [0, 1] at the extremes', () => {
    expect(wilsonInterval(0, 10)!.low).toBe(0);
    expect(wilsonInterval(10, 10)!.high).toBe(1);
  });

  it('is null without observations', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});

describe('association measures', () => {
  it('are PMI in bits, NPMI, lift and Jaccard of the counts', () => {
    // 100 tagged posts, a in 20, b in 10, both in 5: p(a,b) = 0.05, p(a)p(b) = 0.02.
    const m = association({ ab: 5, a: 20, b: 10, total: 100 });
    expect(m.lift).toBeCloseTo(2.5, 12);
    expect(m.pmi).toBeCloseTo(Math.log2(2.5), 12);
    expect(m.npmi).toBeCloseTo(Math.log2(2.5) / -Math.log2(0.05), 12);
    expect(m.jaccard).toBeCloseTo(5 / 25, 12);
  });

  it('gives NPMI 1 for a pair in every post, and 0 for independent tags', () => {
    expect(association({ ab: 7, a: 7, b: 7, total: 7 })).toEqual({ pmi: 0, npmi: 1, lift: 1, jaccard: 1 });
    const independent = association({ ab: 25, a: 50, b: 50, total: 100 });
    expect(independent.pmi).toBe(0);
    expect(independent.npmi).toBe(0);
  });
});
