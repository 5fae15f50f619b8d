/** The statistics the API computes from counts; their formulas are written out in docs/api.md#formulas. */

/** z for a two-sided 95% interval: the 97.5th percentile of the standard normal. */
export const Z_95 = 1.959963984540054;

/**
 * The Wilson score interval of a binomial proportion (successes out of n) at 95%:
 * (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n). Unlike p̂ ± z·√(p̂(1−p̂)/n) it stays inside [0, 1] and is
 * honest for small n and for shares near 0 or 1, which abuse shares in a quiet hour are. Null when n is 0.
 */
export function wilsonInterval(successes: number, n: number, z = Z_95): { low: number; high: number } | null {
  if (n === 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At p̂ = 0 or 1 one bound is exactly 0 or 1, which floating point only approximates (0.9999999999999999).
  return {
    low: successes === 0 ? 0 : (centre - spread) / denominator,
    high: successes === n ? 1 : (centre + spread) / denominator,
  };
}

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
