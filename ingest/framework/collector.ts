import { isDeepStrictEqual } from 'node:util';
import cron, { type ScheduledTask } from 'node-cron';
import type { CollectorCursor, TagpulseConfig } from '../../schemas/index.js';
import { createLogger, type Logger } from '../../infra/log.js';
import { systemClock, type Clock } from './clock.js';
import { cursorKey, openPageWriter, restoreCursors, type PageWriter } from './kafka.js';
import {
  LimitReachedError,
  SOURCE_STATE_QUERY,
  SourceSetupError,
  type CollectorSource,
  type PollingSource,
  type SourcePage,
  type StreamingSource,
} from './source.js';

/** A source with the settings the framework applies to it. */
export interface ConfiguredSource {
  source: CollectorSource;
  /** node-cron expression for polling sources; streaming sources run continuously. */
  schedule: string;
  /** Pages per query and run, at most (a guard against a runaway backfill; the next run continues it). */
  maxPages: number;
}

export interface QuerySummary {
  query: string;
  pages: number;
  fetched: number;
  sent: number;
  rejected: number;
  /** Seconds between now and the newest item's createdAt seen in this run: how far behind the platform we are. */
  lagSeconds?: number;
  /** The run reached its end (the previous high-water mark, the end of the timeline, or caught up with the stream). */
  complete: boolean;
  /** The run stopped early at a platform limit or budget (not a failure); the next run continues. */
  limitReached?: string;
  error?: string;
}

export interface SourceSummary {
  source: string;
  queries: QuerySummary[];
  /** Set when the source could not run at all (credentials, setup). */
  error?: string;
}

export interface CollectorOptions {
  clock?: Clock;
  log?: Logger;
}

/** Runs one source's queries, committing each page with its cursor. */
class SourceRunner {
  private running: Promise<SourceSummary> | undefined;

  constructor(
    readonly configured: ConfiguredSource,
    private readonly writer: PageWriter,
    private readonly cursors: Map<string, CollectorCursor>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  get name(): string {
    return this.configured.source.name;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  run(signal: AbortSignal, untilCaughtUp: boolean): Promise<SourceSummary> {
    this.running ??= this.runSource(signal, untilCaughtUp).finally(() => (this.running = undefined));
    return this.running;
  }

  private async runSource(signal: AbortSignal, untilCaughtUp: boolean): Promise<SourceSummary> {
    const { source } = this.configured;
    const summary: SourceSummary = { source: source.name, queries: [] };
    try {
      if (source.kind === 'streaming') {
        summary.queries.push(await this.runStream(source, signal, untilCaughtUp));
      } else {
        try {
          for (const query of source.queries()) {
            if (signal.aborted) break;
            summary.queries.push(await this.runQuery(source, query, signal));
          }
        } finally {
          await this.commitState(source);
        }
      }
    } catch (error) {
      summary.error = (error as Error).message;
      this.log.error('source stopped', { source: source.name, error });
    }
    return summary;
  }

  private async runQuery(source: PollingSource, query: string, signal: AbortSignal): Promise<QuerySummary> {
    const progress = new Progress(query, this.clock);
    let cursor = this.restore(source, query);
    try {
      while (progress.summary.pages < this.configured.maxPages && !signal.aborted) {
        const page = await source.fetchPage(query, cursor, signal);
        progress.add(page, await this.commit(source, query, page));
        cursor = page.cursor;
        if (page.done) {
          progress.summary.complete = true;
          break;
        }
      }
    } catch (error) {
      if (error instanceof SourceSetupError) throw error;
      if (error instanceof LimitReachedError) progress.stopAtLimit(error);
      else if (!signal.aborted) progress.fail(error as Error);
    }
    return progress.report(this.log, source.name);
  }

  private async runStream(source: StreamingSource, signal: AbortSignal, untilCaughtUp: boolean): Promise<QuerySummary> {
    const progress = new Progress(source.query, this.clock);
    try {
      for await (const page of source.stream(this.restore(source, source.query), { signal, untilCaughtUp })) {
        progress.add(page, await this.commit(source, source.query, page));
        if (page.done) progress.summary.complete = true;
        // A streaming run has no end of its own: its progress is logged as it goes.
        if (!untilCaughtUp && page.envelopes.length + page.rejected.length > 0) progress.logPage(this.log, source.name, page);
      }
    } catch (error) {
      if (error instanceof SourceSetupError) throw error;
      if (!signal.aborted) progress.fail(error as Error);
    }
    return progress.report(this.log, source.name);
  }

  private restore(source: CollectorSource, query: string): unknown {
    const stored = this.cursors.get(cursorKey(source.name, query));
    if (!stored) return undefined;
    const parsed = source.cursorSchema.safeParse(stored.position);
    if (parsed.success) return parsed.data;
    this.log.warn('stored cursor has another shape; the query starts afresh', { source: source.name, query });
    return undefined;
  }

  /**
   * One Kafka transaction per page, with the source's state when it changed; a page that changes nothing
   * (no items, same cursor, same state) needs none.
   */
  private async commit(source: CollectorSource, query: string, page: SourcePage<unknown>): Promise<number> {
    const unchanged = isDeepStrictEqual(this.cursors.get(cursorKey(source.name, query))?.position, page.cursor);
    const state = this.changedState(source);
    if (page.envelopes.length === 0 && page.rejected.length === 0 && unchanged && !state) return 0;
    return this.write(page, [this.cursorMessage(source, query, page.cursor), ...(state ? [state] : [])]);
  }

  /** The source's state, when it changed since it was last committed: changes no page carried (a failed call's spent budget). */
  private async commitState(source: PollingSource): Promise<void> {
    const state = this.changedState(source);
    if (state) await this.write({ envelopes: [], rejected: [] }, [state]);
  }

  private changedState(source: CollectorSource): CollectorCursor | undefined {
    if (source.kind !== 'polling' || !source.state) return undefined;
    const snapshot = source.state.snapshot();
    if (isDeepStrictEqual(this.cursors.get(cursorKey(source.name, SOURCE_STATE_QUERY))?.position, snapshot)) return undefined;
    return this.cursorMessage(source, SOURCE_STATE_QUERY, snapshot);
  }

  private cursorMessage(source: CollectorSource, query: string, position: unknown): CollectorCursor {
    return { schema: 'tagpulse.cursor/1', source: source.name, query, position, updatedAt: new Date(this.clock.now()).toISOString() };
  }

  /** Writes one transaction; answers how many of the page's envelopes the writer dead-lettered instead (too large, too deep). */
  private async write(page: Pick<SourcePage<unknown>, 'envelopes' | 'rejected'>, cursors: CollectorCursor[]): Promise<number> {
    const written = await this.writer.commit({ envelopes: page.envelopes, rejected: page.rejected, cursors });
    for (const cursor of cursors) this.cursors.set(cursorKey(cursor.source, cursor.query), cursor);
    return written.rejected;
  }
}

/** Counts of one query's run, and the log lines that report them. */
class Progress {
  readonly summary: QuerySummary;
  private newestCreatedAt: number | undefined;

  constructor(
    query: string,
    private readonly clock: Clock,
  ) {
    this.summary = { query, pages: 0, fetched: 0, sent: 0, rejected: 0, complete: false };
  }

  /** Counts a committed page; `deadLettered` of its envelopes went to the dead-letter topic instead of the raw one. */
  add(page: SourcePage<unknown>, deadLettered = 0): void {
    this.summary.pages += 1;
    this.summary.fetched += page.fetched;
    this.summary.sent += page.envelopes.length - deadLettered;
    this.summary.rejected += page.rejected.length + deadLettered;
    for (const envelope of page.envelopes) {
      const createdAt = Date.parse(envelope.item.createdAt);
      if (this.newestCreatedAt === undefined || createdAt > this.newestCreatedAt) this.newestCreatedAt = createdAt;
    }
    if (this.newestCreatedAt !== undefined) this.summary.lagSeconds = Math.max(0, Math.round((this.clock.now() - this.newestCreatedAt) / 1000));
  }

  fail(error: Error): void {
    this.summary.error = error.message;
  }

  stopAtLimit(limit: LimitReachedError): void {
    this.summary.limitReached = limit.message;
  }

  logPage(log: Logger, source: string, page: SourcePage<unknown>): void {
    log.info('page committed', {
      source,
      query: this.summary.query,
      fetched: page.fetched,
      sent: page.envelopes.length,
      rejected: page.rejected.length,
      lagSeconds: this.summary.lagSeconds,
    });
  }

  report(log: Logger, source: string): QuerySummary {
    const fields = { source, ...this.summary };
    if (this.summary.error) log.error('query failed', fields);
    else if (this.summary.limitReached) log.warn('query stopped at a platform limit; the next run continues', fields);
    else log.info('query collected', fields);
    return this.summary;
  }
}

/**
 * The collector: restores every cursor from the compacted topic once, opens one transactional writer per
 * source, and runs sources once (`collect --once`) or on their schedules until stopped.
 */
export class Collector {
  private constructor(
    private readonly runners: SourceRunner[],
    private readonly writers: PageWriter[],
    private readonly log: Logger,
  ) {}

  static async open(config: TagpulseConfig, sources: readonly ConfiguredSource[], options: CollectorOptions = {}): Promise<Collector> {
    const clock = options.clock ?? systemClock;
    const log = options.log ?? createLogger('collect');
    // Writers first: opening one waits for its source's last transaction to complete, so the restore sees it.
    const writers: PageWriter[] = [];
    let cursors: Map<string, CollectorCursor>;
    try {
      for (const configured of sources) writers.push(await openPageWriter(config, configured.source.name));
      cursors = await restoreCursors(config);
    } catch (error) {
      await Promise.allSettled(writers.map((w) => w.close()));
      throw error;
    }
    log.info('cursors restored', { count: cursors.size });
    for (const { source } of sources) if (source.kind === 'polling') restoreState(source, cursors, log);
    const runners = sources.map((configured, i) => new SourceRunner(configured, writers[i]!, cursors, clock, log));
    return new Collector(runners, writers, log);
  }

  /** One full pass of every source, in parallel: polling sources to their previous mark, streams until caught up. */
  runOnce(signal: AbortSignal): Promise<SourceSummary[]> {
    return Promise.all(this.runners.map((runner) => runner.run(signal, true)));
  }

  /**
   * Runs polling sources at start and then on their cron schedules, and streams continuously, until `signal`
   * aborts; then waits for the pages in flight to be committed. A tick that finds its source still running is skipped.
   */
  async runScheduled(signal: AbortSignal): Promise<void> {
    const tasks: ScheduledTask[] = [];
    const inFlight = new Set<Promise<unknown>>();
    const start = (runner: SourceRunner, untilCaughtUp: boolean) => {
      if (signal.aborted) return;
      if (runner.isRunning) {
        this.log.warn('previous run still going; skipping this tick', { source: runner.name });
        return;
      }
      const run = runner.run(signal, untilCaughtUp).finally(() => inFlight.delete(run));
      inFlight.add(run);
    };
    for (const runner of this.runners) {
      if (runner.configured.source.kind === 'streaming') {
        start(runner, false);
      } else {
        start(runner, true);
        tasks.push(cron.schedule(runner.configured.schedule, () => start(runner, true), { name: `collect:${runner.name}` }));
      }
    }
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    await Promise.all(tasks.map((task) => task.destroy()));
    await Promise.allSettled([...inFlight]);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.writers.map((writer) => writer.close()));
  }
}

/** Hands a source its stored state; one of another shape (an older version) is dropped, and the source starts afresh. */
function restoreState(source: PollingSource, cursors: ReadonlyMap<string, CollectorCursor>, log: Logger): void {
  if (!source.state) return;
  const stored = cursors.get(cursorKey(source.name, SOURCE_STATE_QUERY));
  const parsed = stored === undefined ? undefined : source.state.schema.safeParse(stored.position);
  if (parsed && !parsed.success) log.warn('stored source state has another shape; the source starts afresh', { source: source.name });
  source.state.restore(parsed?.success ? parsed.data : undefined);
}
