import type { Interval } from '../../schemas/index.js';
import { badParameter } from '../errors.js';
import { formatInZone, maxBuckets, type BoundedRange } from '../time.js';
import type { Series } from './common.js';

/** The engines refuse more than 65,535 buckets in one answer (search.max_buckets); stay well under it. */
export const MAX_BUCKETS = 50_000;

/**
 * One-minute metric windows summed into calendar buckets in the requested zone: `calendar_interval` and
 * `time_zone` make the engine round each window start down to the local hour, day, ISO week (Monday) or month,
 * with DST-correct boundaries from its IANA database, and `min_doc_count: 0` with `extended_bounds` over the range
 * gives every bucket, empty ones as zeros. Engine-neutral: OpenSearch 2 and Elasticsearch 8 take the same body.
 */
export function bucketsAggregation(interval: Interval, tz: string, range: BoundedRange, sums: Record<string, string>) {
  return {
    date_histogram: {
      field: 'windowStart',
      calendar_interval: interval,
      time_zone: tz,
      min_doc_count: 0,
      extended_bounds: { min: range.from, max: range.to - 1 },
    },
    aggs: Object.fromEntries(Object.entries(sums).map(([name, field]) => [name, { sum: { field } }])),
  };
}

/** One filters bucket per series, each with its own histogram: series without any document still get every bucket. */
export function seriesAggregation(series: readonly Series[], field: string, keysOf: (s: Series) => readonly string[], buckets: unknown) {
  return {
    filters: { filters: Object.fromEntries(series.map((s) => [s.name, { terms: { [field]: keysOf(s) } }])) },
    aggs: { buckets },
  };
}

export interface HistogramBucket {
  key: number;
  doc_count: number;
  [sum: string]: number | { value: number };
}

export type SeriesBuckets = { buckets: Record<string, { buckets: { buckets: HistogramBucket[] } }> };

/** Refuses a query whose answer would exceed MAX_BUCKETS, before the engine does it less clearly. */
export function checkBucketCount(range: BoundedRange, interval: Interval, seriesCount: number): void {
  const buckets = maxBuckets(range, interval) * seriesCount;
  if (buckets > MAX_BUCKETS) {
    throw badParameter(
      'interval',
      `${interval} buckets over this range for ${seriesCount} series could be ${buckets.toLocaleString('en-US')}, more than ${MAX_BUCKETS.toLocaleString('en-US')}; choose a longer interval, a shorter range or fewer series`,
    );
  }
}

/** The bucket start as the answer shows it: local time in the zone, with its offset. */
export function bucketStart(bucket: HistogramBucket, tz: string): string {
  return formatInZone(bucket.key, tz);
}

/** The value of a sum sub-aggregation (sums of longs come back as doubles; counts are whole). */
export function sumOf(bucket: HistogramBucket, name: string): number {
  return Math.round((bucket[name] as { value: number }).value);
}
