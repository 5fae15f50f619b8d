import type { topicNames } from '../../infra/kafka/topics.js';
import { cellId, CountedPostFields, parseCellId, type CountedPost, type WindowedMetric } from '../metrics/metric.js';
import { lateDocument } from '../metrics/late.js';
import type { Emit, InputRecord, StreamProcessor } from '../runtime/processor.js';
import { numberCodec, StateStore } from '../runtime/state-store.js';
import { Watermarks, windowStartOf } from '../windows.js';
import { readOrDeadLetter } from './dead-letters.js';

export interface MetricsStageOptions {
  topics: ReturnType<typeof topicNames>;
  /** Partitions of the normalised topic: every one must have a watermark before any window is evicted. */
  partitions: number;
  allowedLatenessMs: number;
  metrics: readonly WindowedMetric<unknown>[];
}

const STAGE = 'metrics';

/**
 * Normalised posts → windowed metric documents and late-data documents.
 *
 * For each post, in its partition's order: a post id already counted is a duplicate (another source, another
 * poll, an edit) and changes nothing; a post whose window has closed (see Watermarks) is late and only gets its
 * late-data document; any other post is counted by every metric into the cells of its window. After the batch,
 * every cell that changed is published whole, then state for windows closed in every partition is evicted.
 *
 * State (all in the changelog): `metrics.seen` post id → window start, so a post counts once for as long as its
 * window can change; `metrics.cell` cell id → cell; `metrics.watermark` partition → watermark.
 */
export class MetricsProcessor implements StreamProcessor {
  readonly stores;
  readonly #seen = new StateStore<number>(`${STAGE}.seen`, numberCodec, (_id, windowStart) => windowStart);
  readonly #cells: StateStore<unknown>;
  readonly #watermarks: Watermarks;
  readonly #metrics: ReadonlyMap<string, WindowedMetric<unknown>>;
  /** Cells changed in the current batch, published at its end. */
  readonly #changed = new Set<string>();
  #counts: Record<string, number> = MetricsProcessor.#zeroCounts();

  constructor(private readonly options: MetricsStageOptions) {
    this.#metrics = new Map(options.metrics.map((metric) => [metric.name, metric]));
    this.#cells = new StateStore<unknown>(
      `${STAGE}.cell`,
      {
        encode: (cell, id) => JSON.stringify(this.#metricOf(id)!.save(cell)),
        // A cell of a metric no longer in the topology is dropped; its documents stay as last published.
        decode: (text, id) => this.#metricOf(id)?.load(JSON.parse(text)),
      },
      (id) => parseCellId(id).windowStart,
    );
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
    const windowStart = windowStartOf(eventTime);
    const { partition } = record;
    const closed = this.#watermarks.isClosed(partition, windowStart);
    this.#watermarks.observe(partition, eventTime);
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
    this.#seen.put(post.id, windowStart);
    for (const metric of this.#metrics.values()) {
      if (metric.capped?.(post)) {
        const key = `${metric.name}Capped`;
        this.#counts[key] = (this.#counts[key] ?? 0) + 1;
      }
      metric.count(post, (dimensions, create) => {
        const id = cellId(metric.name, post.windowStart, dimensions);
        let cell = this.#cells.get(id);
        if (cell === undefined) cell = create();
        this.#cells.put(id, cell);
        this.#changed.add(id);
        return cell;
      });
    }
    this.#counts.counted!++;
  }

  endBatch(emit: Emit): void {
    for (const id of this.#changed) {
      const metric = this.#metricOf(id)!;
      emit({ topic: this.options.topics[metric.name], key: id, value: JSON.stringify(metric.document(this.#cells.get(id))) });
    }
    this.#counts.windowsUpdated! += this.#changed.size;
    this.#changed.clear();
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
    return { posts: 0, counted: 0, duplicates: 0, late: 0, windowsUpdated: 0, deadLetters: 0 };
  }

  #metricOf(id: string): WindowedMetric<unknown> | undefined {
    return this.#metrics.get(parseCellId(id).metric);
  }
}
