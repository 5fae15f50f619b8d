import type { Consumer, Kafka } from 'kafkajs';

/**
 * The consumer every stage reads with: read_committed (aborted transactions never reach a stage), offsets
 * committed by the stage itself, never automatically. A 10 s session lets a restarted process take its
 * partitions back soon after a crash (the dead member is dropped when its session expires); batches are far
 * shorter, and the sink heartbeats while it waits for the search engine.
 */
export function stageConsumer(kafka: Kafka, groupId: string, fetch: StageFetch = TRANSACTIONAL_FETCH): Consumer {
  return kafka.consumer({
    groupId,
    readUncommitted: false,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    // An idle fetch waits this long for data; stopping waits for the fetch in flight, so with kafkajs' 5 s default
    // every stop (each restart, each `--until-idle` exit) took 5 s. Busy fetches return as soon as data arrives.
    maxWaitTimeInMs: 500,
    ...fetch,
  });
}

/** How much one fetch brings: a batch is at most `maxBytesPerPartition` of one partition. */
export interface StageFetch {
  maxBytesPerPartition: number;
  maxBytes: number;
}

/**
 * The exactly-once stages': the stages of a process may share one event loop, and a consumer heartbeats only
 * between batches, so a batch must stay short even when all stages are busy on two loaded cores (4 MiB batches got
 * a stage's member dropped from its group). 1 MiB is about 1,500 raw posts: transactions stay few enough that
 * their cost does not show.
 */
const TRANSACTIONAL_FETCH: StageFetch = { maxBytesPerPartition: 1024 * 1024, maxBytes: 4 * 1024 * 1024 };

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
