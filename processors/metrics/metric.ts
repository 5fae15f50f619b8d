import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AbuseVerdict, NormalisedPost, type MetricDocument } from '../../schemas/index.js';

/** The fields of a normalised post the metrics read; validated when a post enters the metrics stage. */
export const CountedPostFields = NormalisedPost.pick({
  id: true,
  platform: true,
  createdAt: true,
  collectedAt: true,
  lang: true,
  tags: true,
  threadTags: true,
  families: true,
  author: true,
  abuse: true,
});

/** A post as the windowed metrics see it: the first copy of a post id that arrived while its window was open. */
export interface CountedPost {
  readonly id: string;
  readonly platform: NormalisedPost['platform'];
  readonly lang: NormalisedPost['lang'];
  /** Canonical tag keys, deduplicated. */
  readonly tags: readonly string[];
  /** For a comment or reply: keys of the thread it answers beyond its own `tags` (only the abuse metric counts them). */
  readonly threadTags: readonly string[];
  readonly families: readonly string[];
  /** The author's pseudonym: of the id, or of the handle when the platform gives no id; absent when neither. */
  readonly author: string | undefined;
  readonly abuse: CountedVerdict | undefined;
  /** Start of the post's one-minute event-time window, ISO-8601 UTC. */
  readonly windowStart: string;
}

/** What the metrics read of a post's abuse verdict. */
const CountedVerdict = AbuseVerdict.pick({ abusive: true, towardWomen: true, categories: true, classifierVersion: true });
type CountedVerdict = z.infer<typeof CountedVerdict>;

/**
 * A counted post as the metrics stage logs it (`metrics.seen`, keyed by post id, in its window): everything
 * the metrics read of it, so the cells of the windows still open are counted again from these on restore.
 */
export const CountedPostState = z.object({
  platform: NormalisedPost.shape.platform,
  lang: NormalisedPost.shape.lang,
  tags: z.array(z.string()),
  threadTags: z.array(z.string()),
  families: z.array(z.string()),
  author: z.string().optional(),
  abuse: CountedVerdict.optional(),
});

/** The state `metrics.seen` logs for a counted post. */
export function savedCountedPost({ platform, lang, tags, threadTags, families, author, abuse }: CountedPost) {
  const verdict = abuse && { abusive: abuse.abusive, towardWomen: abuse.towardWomen, categories: abuse.categories, classifierVersion: abuse.classifierVersion };
  return { platform, lang, tags, threadTags, families, author, abuse: verdict };
}

/** A counted post back from its logged state, its id (the entry's key) and its window. */
export function loadCountedPost(saved: unknown, id: string, window: number): CountedPost {
  const state = CountedPostState.parse(saved);
  return { ...state, id, author: state.author, abuse: state.abuse, windowStart: new Date(window).toISOString() };
}

/**
 * Gets the cell of the post's window with these dimensions, creating it when the window has none yet. The
 * dimensions are a string unique within the metric and window (e.g. `mastodon|kk|menoiandim`); whatever the
 * metric then changes in the cell is published after the batch.
 */
export type CellOf<Cell> = (dimensions: string, create: () => Cell) => Cell;

/** Metrics with a topic `<prefix>.metrics.<name>` (infra/kafka/topics.ts) and an index `<prefix>-metrics-<name>`. */
export type MetricName = 'volume' | 'cooccurrence' | 'abuse';

/**
 * One windowed metric. Each one-minute event-time window is split into cells by the metric's dimensions; every
 * cell is one metric document, id `<name>|<windowStart>|<dimensions>`, republished whole each time a post
 * changes it (so the latest document of an id is its count), and kept in the stage's state until its window
 * closes for good. Counts must be sums over posts, so any range of windows adds up.
 *
 * To add a metric: copy volume.ts, give it a topic (infra/kafka/topics.ts), a schema (schemas/metrics.ts) and
 * an index (infra/store/indices.ts), and list it in processors/topology.ts.
 */
export interface WindowedMetric<Cell> {
  readonly name: MetricName;
  /** Counts one post into the cells of its window it belongs to. */
  count(post: CountedPost, cellOf: CellOf<Cell>): void;
  /**
   * Whether the metric counted only part of the post (co-occurrence pairs at most its first N tags): the stage
   * counts such posts as `<name>Capped` in its summary, so a cap never acts unseen.
   */
  capped?(post: CountedPost): boolean;
  /** The metric document of a cell, as its topic and index hold it. */
  document(cell: Cell): MetricDocument;
  /**
   * A cell as Tagpulse logged it to the changelog before cells were counted again on restore from the posts
   * counted: read after an upgrade, for the windows still open then.
   */
  load(saved: unknown): Cell;
}

/** The engines refuse document ids over 512 bytes; dimensions made of very long tags are hashed instead. */
const MAX_ID_BYTES = 512;

/** The deterministic id of a metric cell: its Kafka key, its search-engine document id and its state key. */
export function cellId(metric: MetricName, windowStart: string, dimensions: string): string {
  const id = `${metric}|${windowStart}|${dimensions}`;
  if (Buffer.byteLength(id) <= MAX_ID_BYTES) return id;
  return `${metric}|${windowStart}|sha256:${createHash('sha256').update(dimensions).digest('hex')}`;
}

/** The metric name a cell id starts with. */
export function metricOfCellId(id: string): string {
  return id.slice(0, id.indexOf('|'));
}

/** The start (ms) of the window in a cell id. */
export function windowStartOfCellId(id: string): number {
  return Date.parse(id.split('|', 2)[1]!);
}
