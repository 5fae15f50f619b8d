/** The statistics the API computes from counts; their formulas are written out in docs/api.md#formulas. */

/** The Wilson interval is defined with the abuse metric it serves; the API computes the same share over sums. */
export { wilsonInterval, Z_95 } from '../processors/metrics/wilson.js';

export interface PairCounts {
  /** Posts with both tags. */
  ab: number;
  /** Posts with tag a, with tag b. */
  a: number;
  b: number;
  /** All tagged posts (N). */
  total: number;
}

export interface Association {
  pmi: number;
  npmi: number;
  lift: number;
  jaccard: number;
}

/**
 * Association of two tags over N tagged posts, with p(x) = n(x)/N:
 * lift = p(a,b) / (p(a) p(b)); PMI = log₂ lift (bits); NPMI = PMI / −log₂ p(a,b), in [−1, 1], 1 when the pair is
 * in every post; Jaccard = n(a,b) / (n(a) + n(b) − n(a,b)). Defined for n(a,b) ≥ 1, which every listed pair has.
 */
export function association({ ab, a, b, total }: PairCounts): Association {
  const lift = (ab * total) / (a * b);
  const pmi = Math.log2(lift);
  const jointSurprise = -Math.log2(ab / total);
  return {
    pmi,
    npmi: jointSurprise === 0 ? 1 : pmi / jointSurprise,
    lift,
    jaccard: ab / (a + b - ab),
  };
}
