/**
 * The Wilson score interval, shared by the abuse metric (the share toward women of each cell) and the API (the
 * same share over summed cells). It lives here, beside the metric that defines it (docs/metrics.md#abuse), so
 * the processors depend on nothing in `api/`; the API re-exports it from `api/measures.ts`.
 */

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
