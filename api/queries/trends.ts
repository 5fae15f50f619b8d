import type { TrendsAnswer, TrendsParams, TrendsRow } from '../../schemas/index.js';
import { fieldColumns } from '../csv.js';
import { resolveBoundedRange, type BoundedRange } from '../time.js';
import { bucketsAggregation, bucketStart, checkBucketCount, seriesAggregation, sumOf, type SeriesBuckets } from './buckets.js';
import { answerMeta, echoRange, rangeFilter, resolveSeries, termsFilter } from './common.js';
import type { QueryContext } from './context.js';

/** Aggregates default to the last 30 days. */
export const DEFAULT_SPAN_MS = 30 * 24 * 3_600_000;

/**
 * Posts per series and bucket, from the volume index (one document per minute × tag × platform × language).
 * A family is its own series (`family:<name>` cells, where a post with several of the family's keys counts once),
 * not the sum of its keys.
 */
export async function trends(context: QueryContext, params: TrendsParams): Promise<TrendsAnswer> {
  const { series, tags, families } = resolveSeries(context, params);
  const range = resolveBoundedRange(params, context.now(), DEFAULT_SPAN_MS);
  checkBucketCount(range, params.interval, series.length);
  const index = context.store.alias('metrics-volume');
  const filters = [...rangeFilter('windowStart', range), ...termsFilter('platform', params.platform), ...termsFilter('lang', params.lang)];
  const response = await context.store.search<never, { series: SeriesBuckets }>(index, {
    size: 0,
    query: { bool: { filter: [...filters, { terms: { tag: series.map((s) => s.name) } }] } },
    aggs: {
      series: seriesAggregation(series, 'tag', (s) => [s.name], bucketsAggregation(params.interval, params.tz, range, { posts: 'posts' })),
    },
  });
  const rows: TrendsRow[] = [];
  for (const s of series) {
    for (const bucket of response.aggregations!.series.buckets[s.name]!.buckets.buckets) {
      rows.push({ tag: s.name, bucket_start: bucketStart(bucket, params.tz), posts: sumOf(bucket, 'posts') });
    }
  }
  return {
    query: { tags, families, ...echoRange(range, params.tz, params.platform), interval: params.interval, langs: [...(params.lang ?? [])] },
    meta: { ...answerMeta(context, index, response.took), late_posts: await latePosts(context, range, params.platform, series.flatMap((s) => s.keys)) },
    rows,
  };
}

/**
 * Posts with any of these keys in the range that arrived after their window had closed: they are in the posts
 * index but in no count. The late index has no language, so with a `lang` filter this is an upper bound.
 */
async function latePosts(context: QueryContext, range: BoundedRange, platforms: string[] | undefined, keys: string[]): Promise<number> {
  const response = await context.store.search<never, { posts: { value: number } }>(context.store.alias('metrics-late'), {
    size: 0,
    query: { bool: { filter: [...rangeFilter('windowStart', range), ...termsFilter('platform', platforms), { terms: { tags: keys } }] } },
    aggs: { posts: { sum: { field: 'posts' } } },
  });
  return Math.round(response.aggregations!.posts.value);
}

export const trendsColumns = fieldColumns<TrendsRow>(['tag', 'bucket_start', 'posts']);
