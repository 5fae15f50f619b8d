import { setTimeout as delay } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { Admin, Kafka } from 'kafkajs';
import { UserFacingError } from '../cli/command.js';
import { connectAdmin, createKafka } from '../infra/kafka/client.js';
import { errorChain } from '../infra/kafka/errors.js';
import { topicNames } from '../infra/kafka/topics.js';
import { createLogger } from '../infra/log.js';
import { openStore } from '../infra/store/open.js';
import type { SearchStore } from '../infra/store/search-store.js';
import type { TagpulseConfig } from '../schemas/index.js';
import { caughtUp, StageProgress, type Counts, type ProgressEvent } from './runtime/progress.js';
import { restoreStores } from './runtime/restore.js';
import { TransactionalStage } from './runtime/transactional-stage.js';
import type { StreamProcessor } from './runtime/processor.js';
import { SearchSink } from './sink/search-sink.js';
import { buildTopology, type StageName, type Topology } from './topology.js';

const log = createLogger('process');

export interface RunOptions {
  stages: readonly StageName[];
  /** Return once every input partition of every stage is read to its end with nothing in flight. */
  untilIdle?: boolean;
  /** Stop (gracefully: the batch in flight finishes) when aborted. */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /**
   * Run each stage in a worker thread of its own (`tagpulse process` and `start` do), so the stages use a core
   * each instead of taking turns on one event loop. Worker threads load JavaScript: this needs the compiled
   * code (dist/), not the TypeScript sources.
   */
  threads?: boolean;
  /**
   * Told every progress change of every stage, on the calling thread (batch begins and ends, positions): how a
   * benchmark times the work itself, from the first batch to the last, without the start and the idle checks.
   */
  onProgress?: (stage: StageName, event: ProgressEvent) => void;
}

/** Counts per stage over the whole run, from committed batches only. */
export type RunSummary = Partial<Record<StageName, Counts>>;

const IDLE_CHECK_INTERVAL_MS = 250;
const MAX_RESTART_DELAY_MS = 30_000;
/** A run that lasted this long before failing was healthy: the next failure starts the backoff afresh. */
const HEALTHY_RUN_MS = 60_000;

/** Consumer group and transactional id of a stage: per topic prefix, so deployments sharing a broker stay apart. */
export function stageId(config: TagpulseConfig, stage: StageName): string {
  return `${config.kafka.clientId}.${config.kafka.topicPrefix}.${stage}`;
}

/**
 * The broker bumped the stage's transactional epoch: a newer producer registered the id (another process runs
 * the same stage), or a transaction outlived its timeout on a starved machine and the broker aborted it.
 */
export function wasFenced(error: unknown): boolean {
  for (const cause of errorChain(error)) if (cause.type === 'INVALID_PRODUCER_EPOCH' || cause.type === 'PRODUCER_FENCED') return true;
  return false;
}

/**
 * The failures a restart cannot cure, as the one-line error to stop with; undefined for the others. A first
 * fencing is cured by a restart (a stalled transaction); a second one soon after means another process keeps
 * taking the stage over, and restarting again would only fence it in turn, so this process gives way.
 */
export function fatal(error: unknown, config: TagpulseConfig, fencedRecently = false): UserFacingError | undefined {
  if (error instanceof UserFacingError) return error;
  if (wasFenced(error) && fencedRecently) {
    return new UserFacingError(
      `this process was fenced off a stage for topic prefix "${config.kafka.topicPrefix}" twice within ${HEALTHY_RUN_MS / 1000} s: ` +
        'another `tagpulse process` runs it (run each stage in one process only); nothing was counted twice',
    );
  }
  for (const cause of errorChain(error)) {
    // The same batch would make the same record again on every restart: retrying would stall the stage forever.
    if (cause.type === 'MESSAGE_TOO_LARGE' || cause.type === 'RECORD_LIST_TOO_LARGE') {
      return new UserFacingError(
        `a stage produced a record larger than its topic's max.message.bytes and stopped with nothing of that batch ` +
          `committed (a restart would produce it again); raise max.message.bytes of the "${config.kafka.topicPrefix}." topics, then run again`,
      );
    }
  }
  return undefined;
}

/** Every stage with the topics it reads. */
function stageInputs(topology: Topology): Array<[StageName, string[]]> {
  const inputs: Array<[StageName, string[]]> = topology.streams.map((stage) => [stage.name, [stage.input]]);
  if (topology.sink) inputs.push(['sink', topology.sink.routes.map((route) => route.topic)]);
  return inputs;
}

/**
 * Runs the processors of `options.stages` until aborted, or with `untilIdle` until caught up; returns what
 * they did. Any failure of a stage stops every stage and starts them again from what Kafka committed, with
 * backoff: the same path as a start after a crash, so it is the one that is tested.
 */
export async function runProcessors(config: TagpulseConfig, options: RunOptions): Promise<RunSummary> {
  if (options.threads && options.stages.length > 1) return runInThreads(config, options);
  return runInThisThread(config, options);
}


/** Every stage on this thread's event loop; `report` receives every progress change (from a stage's worker thread). */
export async function runInThisThread(config: TagpulseConfig, options: RunOptions, report?: (event: ProgressEvent) => void): Promise<RunSummary> {
  const topology = buildTopology(config, options.stages, options.env);
  const kafka = createKafka(config.kafka, 'process');
  const admin = await connectAdmin(config.kafka, kafka);
  let store: SearchStore | undefined;
  try {
    const partitions = await partitionCounts(admin, [...stageInputs(topology).flatMap(([, inputs]) => inputs), ...topology.streams.flatMap((stage) => stage.partitioned)]);
    if (topology.sink) store = await openStore(config, options.env);
    const observe = (stage: StageName) => (event: ProgressEvent) => {
      report?.(event);
      options.onProgress?.(stage, event);
    };
    const progress = new Map(stageInputs(topology).map(([stage, inputs]) => [stage, new StageProgress(stage, stageId(config, stage), inputs, observe(stage))]));
    const summary = (): RunSummary => Object.fromEntries([...progress].map(([stage, p]) => [stage, p.totals]));
    let lastFencedAt: number | undefined;
    for (let attempt = 0; ; attempt++) {
      const startedAt = Date.now();
      const run = new Run(config, kafka, topology, partitions, store, progress);
      try {
        await run.start();
        await Promise.race([run.failed, ...(options.untilIdle ? [run.idle(admin)] : []), aborted(options.signal)]);
        await run.stop();
        return summary();
      } catch (error) {
        await run.stop().catch((stopError: unknown) => log.warn('stopping after a failure failed', { error: stopError }));
        const fenced = wasFenced(error);
        const cannotCure = fatal(error, config, fenced && lastFencedAt !== undefined && Date.now() - lastFencedAt < HEALTHY_RUN_MS);
        if (cannotCure) throw cannotCure;
        if (fenced) lastFencedAt = Date.now();
        if (Date.now() - startedAt > HEALTHY_RUN_MS) attempt = 0;
        const wait = Math.min(MAX_RESTART_DELAY_MS, 1000 * 2 ** attempt);
        log.warn('a stage failed; restarting every stage from the committed state', { error, attempt, restartInMs: wait });
        await delay(wait, undefined, { signal: options.signal }).catch(() => undefined);
        if (options.signal?.aborted) return summary();
      }
    }
  } finally {
    await store?.close();
    await admin.disconnect();
  }
}

/** Partition counts of the stages' inputs and of the outputs they partition themselves; a missing topic means init has not run. */
async function partitionCounts(admin: Admin, topics: readonly string[]): Promise<Map<string, number>> {
  const wanted = [...new Set(topics)];
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((topic) => !existing.has(topic));
  if (missing.length > 0) throw new UserFacingError(`topic ${missing.join(', ')} does not exist; run \`tagpulse init\` first`);
  const metadata = await admin.fetchTopicMetadata({ topics: wanted });
  return new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
}

/** Messages between the main thread and a stage's worker thread (processors/stage-thread.ts). */
export type ToStageThread = { kind: 'stop' };
export type FromStageThread =
  | { kind: 'progress'; event: ProgressEvent }
  | { kind: 'done'; summary: RunSummary }
  | { kind: 'failed'; message: string; userFacing: boolean };
export interface StageThreadData {
  config: TagpulseConfig;
  stage: StageName;
  env: NodeJS.ProcessEnv;
}

/**
 * Each stage in a worker thread of its own, each with its own restarts (the stages share no state: only
 * topics); this thread follows their progress to tell when all are idle, and stops them all when one fails
 * for good, when aborted, or once idle with `untilIdle`.
 */
async function runInThreads(config: TagpulseConfig, options: RunOptions): Promise<RunSummary> {
  // Refuses what it would refuse on one thread (no pseudonymisation key, …) before any thread starts.
  const topology = buildTopology(config, options.stages, options.env);
  const admin = await connectAdmin(config.kafka, createKafka(config.kafka, 'process'));
  const threads = stageInputs(topology).map(([stage, inputs]) => {
    const progress = new StageProgress(stage, stageId(config, stage), inputs, options.onProgress && ((event) => options.onProgress!(stage, event)));
    const data: StageThreadData = { config, stage, env: options.env ?? process.env };
    const worker = new Worker(new URL('./stage-thread.js', import.meta.url), { workerData: data });
    const done = new Promise<RunSummary>((resolve, reject) => {
      worker.on('message', (message: FromStageThread) => {
        if (message.kind === 'progress') progress.apply(message.event);
        else if (message.kind === 'done') resolve(message.summary);
        else reject(message.userFacing ? new UserFacingError(message.message) : new Error(`stage ${stage}: ${message.message}`));
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`the thread of stage ${stage} exited (${code}) before it finished`)));
    });
    done.catch(() => undefined);
    return { worker, done, progress };
  });
  const stopIdle = new AbortController();
  try {
    await Promise.race([
      ...threads.map((thread) => thread.done),
      ...(options.untilIdle ? [waitUntilIdle(admin, threads.map((thread) => thread.progress), stopIdle.signal)] : []),
      aborted(options.signal),
    ]);
  } catch {
    // A stage failed for good: its error is thrown below, once every other stage has stopped.
  }
  stopIdle.abort();
  for (const { worker } of threads) worker.postMessage({ kind: 'stop' } satisfies ToStageThread);
  const ended = await Promise.allSettled(threads.map((thread) => thread.done));
  await Promise.all(threads.map(({ worker }) => worker.terminate()));
  await admin.disconnect();
  const failure = ended.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
  return Object.assign({}, ...ended.map((result) => (result as PromiseFulfilledResult<RunSummary>).value)) as RunSummary;
}

/**
 * Resolves once the stages are caught up (see caughtUp) in two checks in a row with no batch in between: a
 * stage in a worker thread reports its batches by message, and a second look leaves time for any in flight.
 */
async function waitUntilIdle(admin: Admin, stages: readonly StageProgress[], signal: AbortSignal): Promise<void> {
  /** The stages' batch starts and ends counted at the last check that found them idle. */
  let changesWhenIdle: number | undefined;
  for (;;) {
    const changes = stages.reduce((sum, stage) => sum + stage.changes, 0);
    // A check that fails (the broker busy electing a coordinator) only means: not known to be idle yet.
    const idle = await caughtUp(admin, stages).catch((error: unknown) => log.debug('idle check failed', { error }));
    if (!idle) changesWhenIdle = undefined;
    else if (changesWhenIdle === changes) return;
    else changesWhenIdle = changes;
    await delay(IDLE_CHECK_INTERVAL_MS, undefined, { signal });
  }
}

function aborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** One start of every stage; thrown away whole when any stage fails. */
class Run {
  readonly #streams: TransactionalStage[];
  readonly #sink: SearchSink | undefined;
  readonly #processors: StreamProcessor[];
  readonly #stopIdle = new AbortController();

  constructor(
    private readonly config: TagpulseConfig,
    kafka: Kafka,
    topology: Topology,
    partitions: ReadonlyMap<string, number>,
    store: SearchStore | undefined,
    private readonly progress: ReadonlyMap<string, StageProgress>,
  ) {
    const changelogTopic = topicNames(config.kafka.topicPrefix).changelog;
    const processors = topology.streams.map((stage) => ({ stage, processor: stage.create(partitions) }));
    this.#processors = processors.map(({ processor }) => processor);
    this.#streams = processors.map(
      ({ stage, processor }) =>
        new TransactionalStage(
          kafka,
          processor,
          { input: stage.input, groupId: stageId(config, stage.name), transactionalId: stageId(config, stage.name), changelogTopic },
          progress.get(stage.name)!,
        ),
    );
    this.#sink =
      topology.sink && store
        ? new SearchSink(
            kafka,
            store,
            { groupId: stageId(config, 'sink'), routes: topology.sink.routes, deadLetterTopic: topicNames(config.kafka.topicPrefix).deadLetter },
            progress.get('sink')!,
          )
        : undefined;
  }

  /** Rejects with the first failure of any stage. */
  get failed(): Promise<never> {
    return Promise.race([...this.#streams, ...(this.#sink ? [this.#sink] : [])].map((s) => s.failure.promise));
  }

  /**
   * Fence every predecessor first, then restore the state they committed, then consume from their offsets.
   * The consumers join their groups together: after a crash each join waits for the dead member's session to
   * expire, and those waits overlap instead of adding up.
   */
  async start(): Promise<void> {
    for (const stage of this.#streams) await stage.fence();
    if (this.#processors.length > 0) {
      const started = Date.now();
      const stores = this.#processors.flatMap((processor) => processor.stores);
      const records = await restoreStores(this.config, topicNames(this.config.kafka.topicPrefix).changelog, stores);
      for (const processor of this.#processors) processor.afterRestore();
      log.info('state restored', { records, ms: Date.now() - started });
    }
    await Promise.all([...this.#streams.map((stage) => stage.start()), ...(this.#sink ? [this.#sink.start()] : [])]);
  }

  /** Resolves once every stage is caught up (see caughtUp). */
  async idle(admin: Admin): Promise<void> {
    await waitUntilIdle(admin, [...this.progress.values()], this.#stopIdle.signal);
  }

  async stop(): Promise<void> {
    this.#stopIdle.abort();
    const results = await Promise.allSettled([...this.#streams.map((s) => s.stop()), ...(this.#sink ? [this.#sink.stop()] : [])]);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  }
}
