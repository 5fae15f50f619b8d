import type { Admin, Consumer } from 'kafkajs';

/** Counts by name (posts in, dead letters, documents indexed, …), summed over the batches that committed. */
export type Counts = Record<string, number>;

export function addCounts(total: Counts, batch: Counts): void {
  for (const [name, value] of Object.entries(batch)) total[name] = (total[name] ?? 0) + value;
}

/** One change of a stage's progress, as a stage in a worker thread reports it to the thread that watches for idleness. */
export type ProgressEvent = { kind: 'begin' } | { kind: 'end' } | { kind: 'position'; topic: string; partition: number; next: string };

/**
 * How far one stage got, for `--until-idle` and the run summary. Lives as long as the run, across restarts of
 * the stage: positions only ever move forward, to offsets that are committed. A stage running in a worker
 * thread reports every change to `report`; the main thread's copy takes them with `apply`.
 */
export class StageProgress {
  /** Next offset to read, per topic and partition, once everything before it is committed. */
  readonly #positions = new Map<string, Map<number, bigint>>();
  #busy = 0;
  #changes = 0;
  readonly totals: Counts = {};

  constructor(
    readonly stage: string,
    readonly groupId: string,
    readonly inputs: readonly string[],
    private readonly report?: (event: ProgressEvent) => void,
  ) {}

  /** A batch is being processed: the stage is not idle until it ends. */
  begin(): void {
    this.apply({ kind: 'begin' });
  }

  end(): void {
    this.apply({ kind: 'end' });
  }

  apply(event: ProgressEvent): void {
    this.report?.(event);
    if (event.kind === 'position') {
      let partitions = this.#positions.get(event.topic);
      if (partitions === undefined) this.#positions.set(event.topic, (partitions = new Map()));
      const next = BigInt(event.next);
      if (next > (partitions.get(event.partition) ?? -1n)) partitions.set(event.partition, next);
      return;
    }
    this.#busy += event.kind === 'begin' ? 1 : -1;
    this.#changes++;
  }

  get busy(): boolean {
    return this.#busy > 0;
  }

  /** Bumped at every batch start and end: equal before and after an idle check proves nothing ran in between. */
  get changes(): number {
    return this.#changes;
  }

  position(topic: string, partition: number): bigint | undefined {
    return this.#positions.get(topic)?.get(partition);
  }

  /**
   * Follows the consumer's batch-end events, which kafkajs emits only after a batch was handled without error,
   * and also for batches left empty by filtering (transaction markers, aborted records) that never reach the
   * stage: a read_committed consumer's position must pass those too, or it would never look caught up.
   */
  follow(consumer: Consumer): void {
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.lastOffset === null || payload.lastOffset === undefined) return;
      this.apply({ kind: 'position', topic: payload.topic, partition: payload.partition, next: (BigInt(payload.lastOffset) + 1n).toString() });
    });
  }
}

/**
 * Whether every stage has read every input partition to its end, with nothing in flight: for each partition,
 * the stage's position (or its committed offset, or the partition's first offset, whichever is furthest)
 * reaches the end offset fetched now, and no batch started or ended while the offsets were being fetched.
 */
export async function caughtUp(admin: Admin, stages: readonly StageProgress[]): Promise<boolean> {
  const changesBefore = stages.map((s) => s.changes);
  if (stages.some((s) => s.busy)) return false;
  const topics = [...new Set(stages.flatMap((s) => s.inputs))];
  const ends = new Map(
    await Promise.all(topics.map(async (topic) => [topic, await admin.fetchTopicOffsets(topic)] as const)),
  );
  const committed = await Promise.all(stages.map((s) => admin.fetchOffsets({ groupId: s.groupId, topics: [...s.inputs] })));
  if (stages.some((s, i) => s.busy || s.changes !== changesBefore[i])) return false;
  return stages.every((stage, i) =>
    stage.inputs.every((topic) =>
      ends.get(topic)!.every(({ partition, high, low }) => {
        const offset = committed[i]!.find((t) => t.topic === topic)?.partitions.find((p) => p.partition === partition)?.offset;
        const reached = [stage.position(topic, partition) ?? 0n, BigInt(offset ?? -1), BigInt(low)].reduce((a, b) => (b > a ? b : a));
        return reached >= BigInt(high);
      }),
    ),
  );
}
