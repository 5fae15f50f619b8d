import type { ChangelogStore } from './state-store.js';

/** One consumed record, as a processor sees it. */
export interface InputRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

/**
 * One record to produce: keyed, so the partitioner keeps every version of a key on one partition; or, for a
 * record that carries many keys' values (a metric batch), with the partition those keys hash to.
 */
export type OutputRecord = { topic: string; key: string; value: string } | { topic: string; key: null; value: string; partition: number };

export type Emit = (record: OutputRecord) => void;

/**
 * The transform of one exactly-once stage: synchronous, fed every record of its input partitions in offset
 * order, one batch (one partition) at a time. Whatever it emits and whatever its stores log during a batch is
 * produced in one Kafka transaction together with the batch's input offsets, so it all happens exactly once or
 * not at all; after a failure the runtime discards the instance and builds a new one from the changelog.
 * It must not throw on bad input: that goes to the dead-letter topic.
 */
export interface StreamProcessor {
  /** Every store of the processor, each named `<stage>.<store>`: restored on start, logged with every batch. */
  readonly stores: readonly ChangelogStore[];
  process(record: InputRecord, emit: Emit): void;
  /** Called after each batch's records: publish what accumulated, evict what closed. */
  endBatch(emit: Emit): void;
  /**
   * Called once the stores are restored, before the first batch: rebuilds what the stage derives from its stores
   * rather than logging it, and drops the state of windows closed in every partition as the end of each batch
   * does, because a restored changelog record can bring back entries of windows evicted before the restart
   * (see WindowedStore).
   */
  afterRestore(): void;
  /** Counts since the last call (posts in, dead letters, …), for the run summary; taken once the batch committed. */
  takeCounts(): Record<string, number>;
}
