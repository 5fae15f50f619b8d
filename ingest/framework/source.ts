import { z } from 'zod';
import { RawEnvelope, type DeadLetter, type Platform, type RawItem } from '../../schemas/index.js';
import { describeIssues } from '../../infra/config.js';
import type { Logger } from '../../infra/log.js';
import type { Clock } from './clock.js';
import type { HttpClient } from './http.js';

/**
 * What a collector source is. A source turns one platform's responses into raw envelopes plus the cursor
 * that says where it stands; everything else (Kafka transactions, cursor storage, schedules, logs, the CLI)
 * is the framework's. To add a platform, copy a folder under ingest/sources/ (docs/collectors.md says how).
 */

/** One unit of progress: committed to Kafka in one transaction with `cursor`, or not at all. */
export interface SourcePage<Cursor> {
  /** Items the platform returned, before filtering and validation (the `fetched` count of the logs). */
  fetched: number;
  envelopes: RawEnvelope[];
  /** Items that failed their schema: they go to the dead-letter topic and collection goes on. */
  rejected: DeadLetter[];
  /** Where this query stands once the page is committed. */
  cursor: Cursor;
  /** The run for this query is complete (a polling source's backfill reached the previous run's mark). */
  done: boolean;
}

interface SourceBase<Cursor> {
  /** The configured source name: the cursors' key prefix and the dead letters' stage `collect:<name>`. */
  readonly name: string;
  readonly platform: Platform;
  /** Validates a cursor restored from Kafka, so a cursor of an older shape restarts the query instead of misleading it. */
  readonly cursorSchema: z.ZodType<Cursor>;
}

/** A source polled on its schedule: each query (a tag on an instance, a channel) has its own cursor. */
export interface PollingSource<Cursor = unknown> extends SourceBase<Cursor> {
  readonly kind: 'polling';
  queries(): readonly string[];
  fetchPage(query: string, cursor: Cursor | undefined, signal: AbortSignal): Promise<SourcePage<Cursor>>;
  /** What the source keeps across its queries and restarts (budgets, threads it follows), if anything. */
  readonly state?: SourceState<unknown>;
}

/**
 * State a source shares between its queries and keeps across restarts: a daily call budget, the posts whose
 * replies it follows. Kept on the cursors topic under the source's `@state` key, restored once when the
 * collector opens, and committed whenever it changed in the transaction of the next page (so it never runs
 * ahead of or behind the envelopes it accounts for), and at the end of each run for changes no page carried
 * (a call that failed still spent budget).
 */
export interface SourceState<State> {
  readonly schema: z.ZodType<State>;
  /** Called once before the first run: the stored state, or undefined when none (or one of another shape) is stored. */
  restore(stored: State | undefined): void;
  /** The state as it stands, to be stored. */
  snapshot(): State;
}

/** The query name under which a source's `SourceState` is stored; `@` keeps it apart from every tag or channel. */
export const SOURCE_STATE_QUERY = '@state';

/** A part of a source's state: what `SourceState` asks, without the schema (the combination has one). */
export interface StatePart<State> {
  restore(stored: State | undefined): void;
  snapshot(): State;
}

/**
 * One `SourceState` made of named parts (the threads a source follows, a call budget), stored as one object.
 * A stored object whose part does not parse restores that part afresh and keeps the others.
 */
export function combineStates<Parts extends Record<string, { schema: z.ZodType; part: { restore(stored: never): void; snapshot(): unknown } }>>(
  parts: Parts,
): SourceState<{ [K in keyof Parts]?: z.infer<Parts[K]['schema']> }> {
  const schema = z.record(z.string(), z.unknown());
  return {
    schema: schema as unknown as z.ZodType<{ [K in keyof Parts]?: z.infer<Parts[K]['schema']> }>,
    restore(stored) {
      for (const [name, { schema: partSchema, part }] of Object.entries(parts)) {
        const parsed = partSchema.safeParse((stored as Record<string, unknown> | undefined)?.[name]);
        (part as StatePart<unknown>).restore(parsed.success ? parsed.data : undefined);
      }
    },
    snapshot() {
      return Object.fromEntries(Object.entries(parts).map(([name, { part }]) => [name, (part as StatePart<unknown>).snapshot()])) as never;
    },
  };
}

export interface StreamOptions {
  signal: AbortSignal;
  /** Stop once caught up with the time the run started (`collect --once`), instead of following the stream forever. */
  untilCaughtUp: boolean;
}

/**
 * A source that follows a stream (a firehose) with one cursor. The framework commits each yielded page before
 * asking for the next, so a source can treat the cursor of the last page it yielded as durable.
 */
export interface StreamingSource<Cursor = unknown> extends SourceBase<Cursor> {
  readonly kind: 'streaming';
  readonly query: string;
  stream(cursor: Cursor | undefined, options: StreamOptions): AsyncIterable<SourcePage<Cursor>>;
}

export type CollectorSource = PollingSource | StreamingSource;

/** A source whose credentials or setup are wrong: no other query of it can succeed either, so its run stops. */
export class SourceSetupError extends Error {
  override name = 'SourceSetupError';
}

/**
 * A platform limit or budget that waiting within the run cannot cure (a daily quota spent, a method's daily
 * limit, flood control): the query's run ends where it stands, incomplete but not failed, and the next run
 * continues from its cursor. The message says which limit and when it lifts, for the log.
 */
export class LimitReachedError extends Error {
  override name = 'LimitReachedError';
}

/** What sources get from the framework. */
export interface SourceContext {
  http: HttpClient;
  clock: Clock;
  log: Logger;
  /** Tags to collect, without `#`, as configured (the source lowercases or encodes them as its platform needs). */
  tags: readonly string[];
  /** Where credentials are read from (the config names the variables), injectable for tests. */
  env: NodeJS.ProcessEnv;
}

/** Where an item came from (the page's URL, its index), kept with its dead letter. */
export type Origin = Record<string, string | number>;

/** One item as a source maps it: the envelope's platform-specific parts. */
export interface ItemParts {
  platformId: string;
  item: z.input<typeof RawItem>;
  /** The tag that found it, when the source knows it. */
  query?: string;
}

/**
 * Collects one page's envelopes and dead letters. Every platform item goes through `add`: validated with the
 * source's zod schema of the platform's own fields, mapped, and checked against the raw-envelope schema; any
 * failure becomes a dead letter with the reason and the untouched item, and the page goes on.
 */
export class PageBuilder {
  readonly envelopes: RawEnvelope[] = [];
  readonly rejected: DeadLetter[] = [];
  fetched = 0;

  constructor(
    private readonly context: { sourceName: string; envelopeSource?: string; platform: Platform; clock: Clock },
  ) {}

  /**
   * `map` returns undefined for an item that is valid but not wanted (a post without a collected tag).
   * `rawEncoding` says how `raw` is stored when it is not JSON (Telegram's HTML).
   */
  add<T>(
    raw: unknown,
    schema: z.ZodType<T>,
    map: (parsed: T) => ItemParts | undefined,
    origin: Origin,
    rawEncoding: DeadLetter['rawEncoding'] = 'json',
  ): RawEnvelope | undefined {
    this.fetched += 1;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) return this.reject('schema', describeIssues(parsed.error.issues), raw, origin, rawEncoding);
    let parts: ItemParts | undefined;
    try {
      parts = map(parsed.data);
    } catch (error) {
      return this.reject('mapping', (error as Error).message, raw, origin, rawEncoding);
    }
    if (!parts) return undefined;
    const envelope = RawEnvelope.safeParse({
      schema: 'tagpulse.raw/1',
      source: this.context.envelopeSource ?? this.context.sourceName,
      platform: this.context.platform,
      platformId: parts.platformId,
      collectedAt: new Date(this.context.clock.now()).toISOString(),
      query: parts.query,
      item: parts.item,
      payload: raw,
    });
    if (!envelope.success) return this.reject('schema', describeIssues(envelope.error.issues), raw, origin, rawEncoding);
    this.envelopes.push(envelope.data);
    return envelope.data;
  }

  /** Counts an item that was fetched but is not wanted, without looking further (a firehose post without a collected tag). */
  skip(): void {
    this.fetched += 1;
  }

  /** Dead-letters an item that could not even be read (not JSON): counted as fetched and rejected. */
  rejectUnreadable(reason: string, detail: string, raw: unknown, origin: Origin, rawEncoding: DeadLetter['rawEncoding']): void {
    this.fetched += 1;
    this.reject(reason, detail, raw, origin, rawEncoding);
  }

  private reject(reason: string, detail: string, raw: unknown, origin: Origin, rawEncoding: DeadLetter['rawEncoding']): undefined {
    this.rejected.push({
      schema: 'tagpulse.deadletter/1',
      stage: `collect:${this.context.sourceName}`,
      reason,
      detail,
      at: new Date(this.context.clock.now()).toISOString(),
      origin,
      raw,
      rawEncoding,
    });
    return undefined;
  }

  page<Cursor>(cursor: Cursor, done: boolean): SourcePage<Cursor> {
    return { fetched: this.fetched, envelopes: this.envelopes, rejected: this.rejected, cursor, done };
  }
}

/** Tags as the platform's lowercased, `#`-less form, without duplicates (e.g. family names and their aliases). */
export function normaliseTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((tag) => tag.replace(/^[#＃]/, '').toLowerCase()).filter((tag) => tag.length > 0))];
}
