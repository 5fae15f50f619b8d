import { ALL_TAGGED_POSTS } from '../../processors/metrics/cooccurrence.js';
import type { CooccurrenceAnswer, CooccurrenceParams, CooccurrenceRow } from '../../schemas/index.js';
import { fieldColumns } from '../csv.js';
import { association } from '../measures.js';
import { resolveBoundedRange } from '../time.js';
import { answerMeta, echoRange, rangeFilter, tagKey, termsFilter } from './common.js';
import type { QueryContext } from './context.js';
import { DEFAULT_SPAN_MS } from './trends.js';

/** Composite pages and marginal lookups per request: big enough to be few, small enough to stay cheap. */
const PAGE = 5_000;
const MARGINALS_PER_REQUEST = 1_000;

type Filter = unknown;

/**
 * Every partner of `key` with its pair count. Pairs are stored ordered (tagA < tagB), so the key is tagA of some
 * and tagB of others; a composite aggregation pages through all of them exactly (a terms aggregation would be
 * approximate past its size).
 */
async function pairCounts(context: QueryContext, index: string, filters: Filter[], key: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const [own, other] of [['tagA', 'tagB'], ['tagB', 'tagA']] as const) {
    let after: Record<string, string> | undefined;
    do {
      const response = await context.store.search<never, { partners: { after_key?: Record<string, string>; buckets: Array<{ key: { partner: string }; count: { value: number } }> } }>(index, {
        size: 0,
        query: { bool: { filter: [...filters, { term: { [own]: key } }], must_not: [{ term: { [other]: key } }] } },
        aggs: {
          partners: {
            composite: { size: PAGE, sources: [{ partner: { terms: { field: other } } }], ...(after ? { after } : {}) },
            aggs: { count: { sum: { field: 'count' } } },
          },
        },
      });
      const { buckets, after_key } = response.aggregations!.partners;
      for (const bucket of buckets) counts.set(bucket.key.partner, (counts.get(bucket.key.partner) ?? 0) + Math.round(bucket.count.value));
      after = buckets.length === PAGE ? after_key : undefined;
    } while (after);
  }
  return counts;
}

/** n(x) for each key: the diagonal cells (x, x), which count the posts carrying x; `*` gives N. */
async function marginals(context: QueryContext, index: string, filters: Filter[], keys: readonly string[]): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  for (let i = 0; i < keys.length; i += MARGINALS_PER_REQUEST) {
    const chunk = keys.slice(i, i + MARGINALS_PER_REQUEST);
    const response = await context.store.search<never, { diagonal: { buckets: Record<string, { count: { value: number } }> } }>(index, {
      size: 0,
      query: { bool: { filter: [...filters, { terms: { tagA: chunk } }] } },
      aggs: {
        diagonal: {
          filters: { filters: Object.fromEntries(chunk.map((k) => [k, { bool: { filter: [{ term: { tagA: k } }, { term: { tagB: k } }] } }])) },
          aggs: { count: { sum: { field: 'count' } } },
        },
      },
    });
    for (const [k, bucket] of Object.entries(response.aggregations!.diagonal.buckets)) totals.set(k, Math.round(bucket.count.value));
  }
  return totals;
}

/**
 * The tag's partners over the range: posts carrying both, and PMI, NPMI, lift and Jaccard from the pair count,
 * each tag's own count and N, all tagged posts, all summed from the co-occurrence index over the same windows
 * and platforms (docs/metrics.md#co-occurrence).
 */
export async function cooccurrence(context: QueryContext, params: CooccurrenceParams): Promise<CooccurrenceAnswer> {
  const key = tagKey('tag', params.tag);
  const range = resolveBoundedRange(params, context.now(), DEFAULT_SPAN_MS);
  const index = context.store.alias('metrics-cooccurrence');
  const started = Date.now();
  const filters = [...rangeFilter('windowStart', range), ...termsFilter('platform', params.platform)];
  const pairs = await pairCounts(context, index, filters, key);
  const candidates = [...pairs].filter(([, count]) => count >= params.min_count).map(([partner]) => partner);
  const totals = await marginals(context, index, filters, [ALL_TAGGED_POSTS, key, ...candidates]);
  const total = totals.get(ALL_TAGGED_POSTS) ?? 0;
  const own = totals.get(key) ?? 0;
  const rows: CooccurrenceRow[] = candidates.map((partner) => {
    const count = pairs.get(partner)!;
    const countB = totals.get(partner)!;
    return { tag_a: key, tag_b: partner, count, count_a: own, count_b: countB, total, ...association({ ab: count, a: own, b: countB, total }) };
  });
  rows.sort((x, y) => y[params.sort] - x[params.sort] || y.count - x.count || (x.tag_b < y.tag_b ? -1 : 1));
  return {
    query: {
      tags: [{ given: params.tag, key }],
      families: [],
      ...echoRange(range, params.tz, params.platform),
      min_count: params.min_count,
      limit: params.limit,
      sort: params.sort,
    },
    meta: { ...answerMeta(context, index, Date.now() - started), partners: rows.length },
    rows: rows.slice(0, params.limit),
  };
}

export const cooccurrenceColumns = fieldColumns<CooccurrenceRow>(['tag_a', 'tag_b', 'count', 'count_a', 'count_b', 'total', 'pmi', 'npmi', 'lift', 'jaccard']);
