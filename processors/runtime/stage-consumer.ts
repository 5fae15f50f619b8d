import type { Consumer, Kafka } from 'kafkajs';

/**
 * A fetch brings up to 4 MiB of a partition (about 6,000 raw posts), 8 MiB in all. Large batches are what make
 * a stage cheap per post: each batch costs one transaction (several round trips), and the metrics stage publishes
 * each cell a batch changed once, however many of the batch's posts counted into it. The sink sends a batch as
 * one bulk request, about the size a bulk loader sends. Stages heartbeat while they work through a batch.
 */
const STAGE_FETCH = { maxBytesPerPartition: 4 * 1024 * 1024, maxBytes: 8 * 1024 * 1024 };

/**
 * The consumer every stage reads with: read_committed (aborted transactions never reach a stage), offsets
 * committed by the stage itself, never automatically. A 10 s session lets a restarted process take its
 * partitions back soon after a crash (the dead member is dropped when its session expires).
 */
export function stageConsumer(kafka: Kafka, groupId: string): Consumer {
  return kafka.consumer({
    groupId,
    readUncommitted: false,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    // An idle fetch waits this long for data; stopping waits for the fetch in flight, so with kafkajs' 5 s default
    // every stop (each restart, each `--until-idle` exit) took 5 s. Busy fetches return as soon as data arrives.
    maxWaitTimeInMs: 500,
    ...STAGE_FETCH,
  });
}

/** The first error of a stage, as a promise the runner can race; later errors are the same failure. */
export class StageFailure {
  #error: unknown;
  #reject!: (error: unknown) => void;
  readonly promise: Promise<never> = new Promise<never>((_, reject) => (this.#reject = reject));

  constructor() {
    // Nobody may be racing the promise when the error comes; it is still read through `promise` later.
    this.promise.catch(() => undefined);
  }

  get failed(): boolean {
    return this.#error !== undefined;
  }

  get error(): unknown {
    return this.#error;
  }

  fail(error: unknown): void {
    if (this.#error !== undefined) return;
    this.#error = error ?? new Error('stage failed');
    this.#reject(this.#error);
  }

  /** Turns a consumer crash (kafkajs gave up, or is about to restart it on its own) into this stage's failure. */
  watch(consumer: Consumer): void {
    consumer.on(consumer.events.CRASH, ({ payload }) => this.fail(payload.error));
  }
}
