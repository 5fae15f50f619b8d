import type { AbuseAnswer, AbuseParams, AbuseRow } from '../../schemas/index.js';
import type { CsvColumns } from '../csv.js';
import { wilsonInterval } from '../measures.js';
import { resolveBoundedRange } from '../time.js';
import { bucketsAggregation, bucketStart, checkBucketCount, seriesAggregation, sumOf, type SeriesBuckets } from './buckets.js';
import { answerMeta, echoRange, rangeFilter, resolveSeries, termsFilter } from './common.js';
import type { QueryContext } from './context.js';
import { DEFAULT_SPAN_MS } from './trends.js';

/** Sum aggregations of a category are named with this prefix (category names are the lexicon's data). */
const CATEGORY = 'category:';

/** The categories the abuse index has seen (each is a field `categories.<name>` made as it first appeared), sorted. */
async function knownCategories(context: QueryContext, index: string): Promise<string[]> {
  const mapping = await context.store.transport.request<Record<string, { mappings: Record<string, unknown> }>>('GET', `/${index}/_mapping/field/categories.*`);
  const names = new Set<string>();
  for (const { mappings } of Object.values(mapping)) for (const field of Object.keys(mappings)) names.add(field.slice('categories.'.length));
  return [...names].sort();
}

/**
 * Classified posts, abusive ones, those abusive toward women and per category, per series and bucket, from the
 * abuse index, with the share toward women (of classified posts) and its Wilson 95% interval. A family sums the
 * cells of its keys: a post carrying two different keys of one family counts under both (docs/api.md).
 */
export async function abuse(context: QueryContext, params: AbuseParams): Promise<AbuseAnswer> {
  const { series, tags, families } = resolveSeries(context, params);
  const range = resolveBoundedRange(params, context.now(), DEFAULT_SPAN_MS);
  checkBucketCount(range, params.interval, series.length);
  const index = context.store.alias('metrics-abuse');
  const categories = await knownCategories(context, index);
  const sums: Record<string, string> = { posts: 'posts', abusive: 'abusive', towardWomen: 'abusiveTowardWomen' };
  for (const category of categories) sums[`${CATEGORY}${category}`] = `categories.${category}`;
  const allKeys = [...new Set(series.flatMap((s) => s.keys))];
  const response = await context.store.search<never, { series: SeriesBuckets; versions: { buckets: Array<{ key: string; posts: { value: number } }> } }>(index, {
    size: 0,
    query: {
      bool: {
        filter: [
          ...rangeFilter('windowStart', range),
          ...termsFilter('platform', params.platform),
          ...termsFilter('classifierVersion', params.classifier),
          { terms: { tag: allKeys } },
        ],
      },
    },
    aggs: {
      series: seriesAggregation(series, 'tag', (s) => s.keys, bucketsAggregation(params.interval, params.tz, range, sums)),
      versions: { terms: { field: 'classifierVersion', size: 100, order: { _key: 'asc' } }, aggs: { posts: { sum: { field: 'posts' } } } },
    },
  });
  const rows: AbuseRow[] = [];
  for (const s of series) {
    for (const bucket of response.aggregations!.series.buckets[s.name]!.buckets.buckets) {
      const posts = sumOf(bucket, 'posts');
      const towardWomen = sumOf(bucket, 'towardWomen');
      const interval = wilsonInterval(towardWomen, posts);
      rows.push({
        tag: s.name,
        bucket_start: bucketStart(bucket, params.tz),
        posts,
        abusive: sumOf(bucket, 'abusive'),
        abusive_toward_women: towardWomen,
        share_toward_women: posts === 0 ? null : towardWomen / posts,
        ci_low: interval?.low ?? null,
        ci_high: interval?.high ?? null,
        categories: Object.fromEntries(categories.map((category) => [category, sumOf(bucket, `${CATEGORY}${category}`)])),
      });
    }
  }
  return {
    query: { tags, families, ...echoRange(range, params.tz, params.platform), interval: params.interval, classifiers: [...(params.classifier ?? [])] },
    meta: {
      ...answerMeta(context, index, response.took),
      classifier_versions: response.aggregations!.versions.buckets.map((b) => ({ version: b.key, posts: Math.round(b.posts.value) })),
      categories,
    },
    rows,
  };
}

const FIXED_COLUMNS = ['tag', 'bucket_start', 'posts', 'abusive', 'abusive_toward_women', 'share_toward_women', 'ci_low', 'ci_high'] as const;

/** The fixed columns, then `category_<name>` for every category the index knows, alphabetically. */
export function abuseColumns(answer: AbuseAnswer): CsvColumns<AbuseRow> {
  return {
    header: [...FIXED_COLUMNS, ...answer.meta.categories.map((category) => `category_${category}`)],
    cells: (row) => [...FIXED_COLUMNS.map((name) => row[name]), ...answer.meta.categories.map((category) => row.categories[category] ?? 0)],
  };
}
