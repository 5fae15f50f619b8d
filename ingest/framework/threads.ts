import { z } from 'zod';
import type { Logger } from '../../infra/log.js';
import type { Clock } from './clock.js';
import { combineStates, type PollingSource, type SourcePage } from './source.js';
import type { Platform } from '../../schemas/index.js';
import { advanceTimeline, TimelineCursor, type TimelineFetch, type TimelineRequest } from './timeline.js';

/**
 * Following the replies (comments) of the posts a tag search found. Abuse aimed at an activist mostly arrives
 * as replies that do not carry the tag, and over days after the post, so collecting a post's comments once,
 * when the post is found, would miss most of it. A source therefore follows each matched post (a VK post, a
 * YouTube video, an X conversation) for a while after its creation, and its `@replies` query sweeps the
 * followed threads on every run, collecting each thread's replies newer than the newest one it already has,
 * newest first, exactly as a tag timeline pages back to its high-water mark (`timeline.ts`).
 *
 * The followed threads live in the source's durable state (`SourceState`): a tag query's page adds the threads
 * of the posts it carries in the same transaction as those posts, and a thread's high-water mark moves in the
 * transaction of the page that completes it. The sweep's progress (the threads still pending and the batch in
 * flight) is the `@replies` query's cursor, so a restarted collector finishes the sweep it was in.
 *
 * Where the platform reports reply counts cheaply (many posts per call), a sweep first asks for them and
 * only visits threads whose count moved since their last visit; where one request can cover several threads
 * (an X search of `conversation_id:a OR conversation_id:b`), threads are visited in batches.
 */

/** The query under which a source sweeps the threads it follows; `@` keeps it apart from every tag. */
export const REPLIES_QUERY = '@replies';

/** How many threads a source follows at most: the state is one Kafka message, and every thread costs calls. */
export const MAX_FOLLOWED_THREADS = 2000;

export const FollowedThread = z.object({
  /** Epoch ms after which new replies are no longer looked for (the post's creation plus the follow window). */
  until: z.number().int(),
  /** The tag that found the post: its replies' envelopes carry it as their `query`. */
  tag: z.string().optional(),
  /** Position of the newest reply collected (a comment id, a timestamp): the thread's high-water mark. */
  since: z.string().optional(),
  /** The platform's reply count when the thread was last visited, where the platform reports one. */
  replies: z.number().int().nonnegative().optional(),
  /** Epoch ms of the last completed visit; absent: never visited (every thread is visited at least once). */
  visitedAt: z.number().int().optional(),
});
export type FollowedThread = z.infer<typeof FollowedThread>;

export const FollowedThreads = z.record(z.string(), FollowedThread);
export type FollowedThreads = z.infer<typeof FollowedThreads>;

/** Orders platform positions: decimal ids (of any length) numerically, anything else (ISO timestamps) as text. */
export function comparePositions(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The threads a source follows, kept in (and restored from) its durable state. */
export class ThreadFollower {
  private threads = new Map<string, FollowedThread>();

  constructor(
    private readonly options: { followForMs: number; clock: Clock; log: Logger },
  ) {}

  /** Follows a matched post's thread until `followForMs` after the post's creation; one already followed keeps its progress. */
  follow(thread: string, createdAt: string, tag: string | undefined): void {
    if (this.threads.has(thread)) return;
    if (this.threads.size >= MAX_FOLLOWED_THREADS) this.dropSoonestEnding();
    this.threads.set(thread, { until: Date.parse(createdAt) + this.options.followForMs, tag });
  }

  get(thread: string): FollowedThread | undefined {
    return this.threads.get(thread);
  }

  /** Stops following a thread the platform no longer shows (deleted, private, comments turned off). */
  drop(thread: string, reason: string): void {
    if (this.threads.delete(thread)) this.options.log.info('thread no longer followed', { thread, reason });
  }

  /** Records a completed visit: its newest reply (when it found any) and the reply count it was made for. */
  visited(thread: string, since: string | undefined, replies: number | undefined): void {
    const followed = this.threads.get(thread);
    if (!followed) return;
    const newer = since !== undefined && (followed.since === undefined || comparePositions(since, followed.since) > 0);
    this.threads.set(thread, {
      ...followed,
      ...(newer ? { since } : {}),
      ...(replies !== undefined ? { replies } : {}),
      visitedAt: this.options.clock.now(),
    });
  }

  /** Threads to visit in a sweep starting now, in id order: those still within their window, and those never visited. */
  due(): string[] {
    const now = this.options.clock.now();
    for (const [thread, followed] of this.threads) {
      if (followed.until < now && followed.visitedAt !== undefined) this.threads.delete(thread);
    }
    return [...this.threads.keys()].sort();
  }

  restore(stored: FollowedThreads | undefined): void {
    this.threads = new Map(Object.entries(stored ?? {}));
  }

  snapshot(): FollowedThreads {
    return Object.fromEntries(this.threads);
  }

  private dropSoonestEnding(): void {
    const [thread] = [...this.threads].reduce((soonest, entry) => (entry[1].until < soonest[1].until ? entry : soonest));
    this.threads.delete(thread);
    this.options.log.warn('too many threads followed; dropping the one whose window ends first', { thread, limit: MAX_FOLLOWED_THREADS });
  }
}

/** The platform can no longer show a thread's replies (post deleted or private, comments turned off): it is no longer followed. */
export class ThreadClosedError extends Error {
  override name = 'ThreadClosedError';
}

export interface RepliesRequest extends Omit<TimelineRequest, 'query' | 'highWater' | 'top'> {
  /** The threads one request covers (one, unless the platform batches them). */
  threads: readonly string[];
  /** Only replies newer than this are wanted: the page stops there (`older` undefined) once it reaches it. */
  since?: string;
}

/** What a platform provides to have its followed threads swept. */
export interface RepliesFetcher {
  /** One page of the threads' replies, newest first, as a timeline fetch; throws `ThreadClosedError` for a thread gone. */
  fetchReplies(request: RepliesRequest): Promise<TimelineFetch>;
  /** The platform's current reply count of each thread; threads it no longer shows are left out. */
  replyCounts?(threads: readonly string[], signal: AbortSignal): Promise<Map<string, number>>;
  /** How many of the pending threads (in order) one request covers; one when absent. */
  batchSize?(threads: readonly string[]): number;
  /** Where a never-visited thread's replies start, for platforms that filter by id (an X conversation's own id). */
  initialSince?(thread: string): string;
}

const PendingThread = z.object({
  thread: z.string(),
  /** The reply count the visit is made for (recorded once the visit completes). */
  replies: z.number().int().nonnegative().optional(),
});

/** A sweep in progress: the threads still to visit, in order, and the batch (their first `size`) being paged. */
export const ThreadSweepCursor = z.object({
  pending: z.array(PendingThread).min(1),
  batch: z
    .object({
      size: z.number().int().positive(),
      since: z.string().optional(),
      run: z.object({ top: z.string().optional(), next: z.string() }),
    })
    .optional(),
});
export type ThreadSweepCursor = z.infer<typeof ThreadSweepCursor>;

/** A sweep cursor, or `{}` when no sweep is in progress. */
type SweepPosition = ThreadSweepCursor | Record<string, never>;

/** One page of the `@replies` query: the next page of the current batch of threads, starting a new sweep when none is in progress. */
export function sweepThreads(
  follower: ThreadFollower,
  fetcher: RepliesFetcher,
): (cursor: SweepPosition, signal: AbortSignal) => Promise<SourcePage<SweepPosition>> {
  const emptyPage = (cursor: SweepPosition, done: boolean): SourcePage<SweepPosition> => ({ fetched: 0, envelopes: [], rejected: [], cursor, done });

  const startSweep = async (signal: AbortSignal): Promise<ThreadSweepCursor['pending']> => {
    const due = follower.due();
    if (due.length === 0 || !fetcher.replyCounts) return due.map((thread) => ({ thread }));
    const counts = await fetcher.replyCounts(due, signal);
    return due.flatMap((thread) => {
      const replies = counts.get(thread);
      if (replies === undefined) {
        follower.drop(thread, 'the platform no longer shows the post');
        return [];
      }
      const followed = follower.get(thread)!;
      // A post that has never had a reply needs no visit: it is recorded as visited with its count of nought.
      if (replies === 0 && followed.since === undefined && (followed.replies ?? 0) === 0) {
        follower.visited(thread, undefined, 0);
        return [];
      }
      return followed.visitedAt === undefined || followed.replies !== replies ? [{ thread, replies }] : [];
    });
  };

  /** The batch's mark: its oldest thread mark, or none when a thread has none (the batch reads from the beginning). */
  const oldestMark = (batch: ThreadSweepCursor['pending']): string | undefined => {
    let oldest: string | undefined;
    for (const { thread } of batch) {
      const since = follower.get(thread)?.since ?? fetcher.initialSince?.(thread);
      if (since === undefined) return undefined;
      if (oldest === undefined || comparePositions(since, oldest) < 0) oldest = since;
    }
    return oldest;
  };

  return async (cursor, signal) => {
    const pending = 'pending' in cursor ? cursor.pending : await startSweep(signal);
    if (pending.length === 0) return emptyPage({}, true);
    const inFlight = 'pending' in cursor ? cursor.batch : undefined;
    const size = inFlight?.size ?? Math.max(1, Math.min(pending.length, fetcher.batchSize?.(pending.map((p) => p.thread)) ?? 1));
    const batch = pending.slice(0, size);
    const since = inFlight ? inFlight.since : oldestMark(batch);
    const rest = pending.slice(size);
    const afterBatch: SweepPosition = rest.length > 0 ? { pending: rest } : {};
    let fetched: TimelineFetch;
    try {
      fetched = await fetcher.fetchReplies({ threads: batch.map((p) => p.thread), since, next: inFlight?.run.next, signal });
    } catch (error) {
      if (!(error instanceof ThreadClosedError)) throw error;
      for (const { thread } of batch) follower.drop(thread, error.message);
      return emptyPage(afterBatch, rest.length === 0);
    }
    const advanced = advanceTimeline({ highWater: since, run: inFlight?.run }, fetched);
    if (!advanced.done) return fetched.page.page({ pending, batch: { size, since, run: advanced.cursor.run! } }, false);
    for (const { thread, replies } of batch) follower.visited(thread, advanced.cursor.highWater, replies);
    return fetched.page.page(afterBatch, rest.length === 0);
  };
}

export const TagOrRepliesCursor = z.union([ThreadSweepCursor, TimelineCursor]);
export type TagOrRepliesCursor = z.infer<typeof TagOrRepliesCursor>;

/**
 * The polling-source parts of a platform searched by tag whose matched posts' replies are followed: one query
 * per tag (a newest-first timeline) and the `@replies` sweep, run after them so that threads found in this run
 * are visited in it.
 */
export function tagsWithReplies(
  tags: readonly string[],
  fetchTag: PollingSource<TimelineCursor>['fetchPage'],
  sweep: ReturnType<typeof sweepThreads>,
): Pick<PollingSource<TagOrRepliesCursor>, 'cursorSchema' | 'queries' | 'fetchPage'> {
  return {
    cursorSchema: TagOrRepliesCursor,
    queries: () => [...tags, REPLIES_QUERY],
    fetchPage: (query, cursor = {}, signal) => {
      const sweepCursor = 'pending' in cursor ? cursor : undefined;
      if (query === REPLIES_QUERY) return sweep(sweepCursor ?? {}, signal);
      return fetchTag(query, sweepCursor ? {} : (cursor as TimelineCursor), signal);
    },
  };
}

export interface TagSourceWithReplies {
  name: string;
  platform: Platform;
  /** The collected tags, one query each. */
  tags: readonly string[];
  fetchTag: PollingSource<TimelineCursor>['fetchPage'];
  follower: ThreadFollower;
  replies: RepliesFetcher;
  /** Further parts of the source's durable state beside the followed threads (a call budget). */
  state?: Parameters<typeof combineStates>[0];
}

/** A whole polling source searched by tag whose matched posts' replies are followed: the tag queries, the `@replies` sweep, the state. */
export function tagSourceWithReplies(options: TagSourceWithReplies): PollingSource<TagOrRepliesCursor> {
  return {
    kind: 'polling',
    name: options.name,
    platform: options.platform,
    ...tagsWithReplies(options.tags, options.fetchTag, sweepThreads(options.follower, options.replies)),
    state: combineStates({ threads: { schema: FollowedThreads, part: options.follower }, ...options.state }),
  };
}
