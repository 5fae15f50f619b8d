import { z } from 'zod';
import { Instant, Lang, Platform } from './common.js';

/** The base window every metric is kept in; hour, day, week and month are rolled up at query time. */
export const BASE_WINDOW_MS = 60_000;

const WindowKey = {
  /** Start of the one-minute event-time window (UTC, inclusive). */
  windowStart: Instant,
};

/** Posts per canonical tag × platform × language × minute (metric `tagpulse.metrics.volume`). */
export const VolumeMetric = z.object({
  schema: z.literal('tagpulse.volume/1'),
  ...WindowKey,
  tag: z.string(),
  platform: Platform,
  lang: Lang,
  posts: z.number().int().nonnegative(),
  /** Distinct pseudonymous authors in this window; not additive across windows (query the posts index for that). */
  authors: z.number().int().nonnegative(),
});
export type VolumeMetric = z.infer<typeof VolumeMetric>;

/** Posts carrying both tags of an (ordered a < b) canonical pair in one minute. */
export const CooccurrenceMetric = z.object({
  schema: z.literal('tagpulse.cooccurrence/1'),
  ...WindowKey,
  tagA: z.string(),
  tagB: z.string(),
  platform: Platform,
  count: z.number().int().nonnegative(),
});
export type CooccurrenceMetric = z.infer<typeof CooccurrenceMetric>;

const Share = z.number().min(0).max(1);

/** Abuse counts per tag × platform × classifier version × minute, with this window's share toward women. */
export const AbuseMetric = z.object({
  schema: z.literal('tagpulse.abuse/1'),
  ...WindowKey,
  tag: z.string(),
  platform: Platform,
  /** Classified posts with the tag. */
  posts: z.number().int().nonnegative(),
  abusive: z.number().int().nonnegative(),
  abusiveTowardWomen: z.number().int().nonnegative(),
  /** Abusive posts per category (a post may count in several). */
  categories: z.record(z.string(), z.number().int().nonnegative()),
  classifierVersion: z.string(),
  /**
   * abusiveTowardWomen / posts in this window, and its Wilson 95% score interval. Shares do not add up: over
   * several windows, sum the counts and compute the share from the sums (docs/metrics.md#abuse).
   */
  shareTowardWomen: Share,
  shareTowardWomenLow: Share,
  shareTowardWomenHigh: Share,
});
export type AbuseMetric = z.infer<typeof AbuseMetric>;

/** Posts that arrived after their window closed (event time older than the allowed lateness). Counted, never dropped silently. */
export const LateDataMetric = z.object({
  schema: z.literal('tagpulse.late/1'),
  ...WindowKey,
  platform: Platform,
  /** Canonical tags of the late post(s), so late counts can be filtered by tag like the volumes they are missing from. */
  tags: z.array(z.string()),
  /** Posts refused by the window stores because their window had closed. */
  posts: z.number().int().nonnegative(),
  /** When this count was last updated (arrival time). */
  updatedAt: Instant,
});
export type LateDataMetric = z.infer<typeof LateDataMetric>;

export const MetricDocument = z.discriminatedUnion('schema', [
  VolumeMetric,
  CooccurrenceMetric,
  AbuseMetric,
  LateDataMetric,
]);
export type MetricDocument = z.infer<typeof MetricDocument>;

/**
 * One line of a metric batch: a windowed metric cell's id (its search-engine document id) and its document.
 *
 * A record on `metrics.volume`, `.cooccurrence` or `.abuse` is a metric batch: the documents of the cells of
 * that metric one transaction of the metrics stage changed, one per line, written as `<id as a JSON string>`,
 * a tab, `<document JSON>` (JSON escapes every tab and newline inside strings, so neither separator is
 * ambiguous). Every cell always lands on the partition its id hashes to (Kafka's murmur2, as for a keyed
 * record), so a later document of a cell is always at a higher offset of the same partition.
 */
export const MetricBatchLine = z.object({ id: z.string().min(1), document: MetricDocument });
export type MetricBatchLine = z.infer<typeof MetricBatchLine>;

/** A metric batch's lines, as they are written: the document JSON is passed on unparsed. */
export interface MetricBatchEntry {
  id: string;
  /** The document, as JSON text. */
  json: string;
}

export function metricBatchLine(id: string, documentJson: string): string {
  return `${JSON.stringify(id)}\t${documentJson}`;
}

/** The entries of a metric batch record's value; throws on a line that is not `<JSON string>\t<text>`. */
export function readMetricBatch(text: string): MetricBatchEntry[] {
  return text.split('\n').map((line, i) => {
    const tab = line.indexOf('\t');
    const id: unknown = tab > 0 ? JSON.parse(line.slice(0, tab)) : undefined;
    if (typeof id !== 'string' || id.length === 0) throw new SyntaxError(`metric batch line ${i + 1} does not start with a JSON string id and a tab`);
    return { id, json: line.slice(tab + 1) };
  });
}
