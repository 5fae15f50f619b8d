import type { topicNames } from '../../infra/kafka/topics.js';
import { metricBatchLine } from '../../schemas/index.js';
import { cellId, CountedPostFields, loadCountedPost, metricOfCellId, savedCountedPost, windowStartOfCellId, type CountedPost, type WindowedMetric } from '../metrics/metric.js';
import { lateDocument } from '../metrics/late.js';
import type { Emit, InputRecord, StreamProcessor } from '../runtime/processor.js';
import { packBySize } from '../runtime/pack.js';
import { partitionOf } from '../../infra/kafka/partitioner.js';
import { WindowedStore } from '../runtime/state-store.js';
import { isAheadOfArrival, Watermarks, windowStartOf } from '../windows.js';
import { readOrDeadLetter } from './dead-letters.js';

export interface MetricsStageOptions {
  topics: ReturnType<typeof topicNames>;
  /** Partitions of the normalised topic: every one must have a watermark before any window is evicted. */
  partitions: number;
  /** Partitions of each metric's topic: a cell's documents always go to the partition its id hashes to. */
  metricPartitions: (topic: string) => number;
  allowedLatenessMs: number;
  metrics: readonly WindowedMetric<unknown>[];
}

const STAGE = 'metrics';

/** The most bytes of documents in one metric batch record: a quarter of the metric topics' 1 MiB `max.message.bytes`. */
const MAX_METRIC_BATCH_BYTES = 256 * 1024;

/**
 * Normalised posts → windowed metric documents and late-data documents.
 *
 * For each post, in its partition's order: a post id already counted is a duplicate (another source, another
 * poll, an edit) and changes nothing; a post whose window has closed (see Watermarks) is late and only gets its
 * late-data document; any other post is counted by every metric into the cells of its window. After the batch,
 * every cell that changed is published whole, in metric batches (schemas/metrics.ts, MetricBatchLine), then state
 * for windows closed in every partition is evicted.
 *
 * State: `metrics.seen` post id → what the metrics read of the post, in its window, so a post counts once for as
 * long as its window can change; `metrics.cell` cell id → cell; `metrics.watermark` partition → watermark. The
 * changelog holds the posts counted, not the cells: a post changes about ten cells, and logging each cell's whole
 * value was as costly as publishing it. On restore the cells of the open windows are counted again from the
 * posts (afterRestore), which gives the same cells, as counts are sums over posts.
 */
export class MetricsProcessor implements StreamProcessor {
  readonly stores;
  /**
   * Post ids counted, each in its window, with what the metrics read of it; null for a post counted by a
   * version that logged cells, whose counts are in the `metrics.cell` records it left.
   */
  readonly #seen = new WindowedStore<CountedPost | null>(`${STAGE}.seen`, {
    save: (post) => (post === null ? 1 : savedCountedPost(post)),
    load: (saved, id, window) => (saved === 1 ? null : loadCountedPost(saved, id, window)),
    loadPerKeyRecord: (windowStart) => ({ value: null, window: Number(windowStart) }),
  });
  /** Not logged (no `save`): counted again from `#seen` on restore; records of cells logged before are read. */
  readonly #cells: WindowedStore<unknown>;
  readonly #watermarks: Watermarks;
  readonly #metrics: ReadonlyMap<string, WindowedMetric<unknown>>;
  #counts: Record<string, number> = MetricsProcessor.#zeroCounts();

  constructor(private readonly options: MetricsStageOptions) {
    this.#metrics = new Map(options.metrics.map((metric) => [metric.name, metric]));
    this.#cells = new WindowedStore<unknown>(`${STAGE}.cell`, {
      // A cell of a metric no longer in the topology is dropped; its documents stay as last published.
      load: (saved, id) => this.#metricOf(id)?.load(saved),
      loadPerKeyRecord: (text, id) => {
        const cell = this.#metricOf(id)?.load(JSON.parse(text));
        return cell === undefined ? undefined : { value: cell, window: windowStartOfCellId(id) };
      },
    });
    this.#watermarks = new Watermarks(STAGE, options.partitions, options.allowedLatenessMs);
    this.stores = [this.#seen, this.#cells, this.#watermarks.store];
  }

  process(record: InputRecord, emit: Emit): void {
    this.#counts.posts!++;
    const fields = readOrDeadLetter(record, CountedPostFields, STAGE, this.options.topics.deadLetter, emit);
    if (fields === undefined) {
      this.#counts.deadLetters!++;
      return;
    }
    const eventTime = Date.parse(fields.createdAt);
    const arrivalTime = Date.parse(fields.collectedAt);
    const windowStart = windowStartOf(eventTime);
    const { partition } = record;
    const closed = this.#watermarks.isClosed(partition, windowStart);
    this.#watermarks.observe(partition, eventTime, arrivalTime);
    if (this.#seen.has(fields.id)) {
      this.#counts.duplicates!++;
      return;
    }
    const post: CountedPost = {
      id: fields.id,
      platform: fields.platform,
      lang: fields.lang,
      tags: fields.tags,
      threadTags: fields.threadTags ?? [],
      families: fields.families,
      author: fields.author.id ?? fields.author.handle,
      abuse: fields.abuse,
      windowStart: new Date(windowStart).toISOString(),
    };
    if (closed) {
      this.#counts.late!++;
      const late = lateDocument(post, fields.collectedAt);
      emit({ topic: this.options.topics.late, key: late.id, value: JSON.stringify(late.document) });
      return;
    }
    this.#seen.put(post.id, post, windowStart);
    if (isAheadOfArrival(eventTime, arrivalTime)) this.#counts.aheadOfArrival!++;
    for (const metric of this.#metrics.values()) {
      if (metric.capped?.(post)) {
        const key = `${metric.name}Capped`;
        this.#counts[key] = (this.#counts[key] ?? 0) + 1;
      }
    }
    this.#count(post, windowStart, (id, window, create) => this.#cells.update(id, window, create));
    this.#counts.counted!++;
  }

  /** Counts a post into its window's cells of every metric, getting each cell with `cellOf`. */
  #count(post: CountedPost, windowStart: number, cellOf: (id: string, window: number, create: () => unknown) => unknown): void {
    for (const metric of this.#metrics.values()) {
      metric.count(post, (dimensions, create) => cellOf(cellId(metric.name, post.windowStart, dimensions), windowStart, create));
    }
  }

  endBatch(emit: Emit): void {
    // One metric batch per metric topic partition (packed under the topic's record limit), not one record per
    // cell: a post changes about ten cells, and records, not bytes, were what the stage spent its time on.
    // The cells changed since the last transaction's changelog: this batch's.
    const batches = new Map<string, { topic: string; partition: number; lines: string[] }>();
    let changed = 0;
    for (const [id, cell] of this.#cells.changed()) {
      const metric = this.#metricOf(id)!;
      const topic = this.options.topics[metric.name];
      const partition = partitionOf(id, this.options.metricPartitions(topic));
      const batchKey = `${topic}\n${partition}`;
      let batch = batches.get(batchKey);
      if (batch === undefined) batches.set(batchKey, (batch = { topic, partition, lines: [] }));
      batch.lines.push(metricBatchLine(id, JSON.stringify(metric.document(cell))));
      changed++;
    }
    for (const { topic, partition, lines } of batches.values()) {
      for (const pack of packBySize(lines, (line) => Buffer.byteLength(line) + 1, MAX_METRIC_BATCH_BYTES)) {
        emit({ topic, key: null, partition, value: pack.join('\n') });
      }
    }
    this.#counts.windowsUpdated! += changed;
    this.#evictClosedWindows();
  }

  /**
   * Counts the cells of the open windows again from the posts counted, without publishing them (their documents
   * went out with the transactions that counted the posts), then evicts closed windows.
   */
  afterRestore(): void {
    for (const [, post] of this.#seen.entries()) {
      if (post !== null) this.#count(post, Date.parse(post.windowStart), (id, window, create) => this.#cells.rebuild(id, window, create));
    }
    this.#evictClosedWindows();
  }

  /** Evicts the state of windows closed in every partition. */
  #evictClosedWindows(): void {
    const horizon = this.#watermarks.horizon();
    this.#seen.evictWindowsEndingBy(horizon);
    this.#cells.evictWindowsEndingBy(horizon);
  }

  takeCounts(): Record<string, number> {
    const counts = this.#counts;
    this.#counts = MetricsProcessor.#zeroCounts();
    return counts;
  }

  static #zeroCounts(): Record<string, number> {
    return { posts: 0, counted: 0, duplicates: 0, late: 0, aheadOfArrival: 0, windowsUpdated: 0, deadLetters: 0 };
  }

  #metricOf(id: string): WindowedMetric<unknown> | undefined {
    return this.#metrics.get(metricOfCellId(id));
  }
}
