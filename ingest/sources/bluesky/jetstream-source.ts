import { z } from 'zod';
import type { SourceConfig } from '../../../schemas/index.js';
import { describeIssues } from '../../../infra/config.js';
import { backoffDelay } from '../../framework/clock.js';
import { tryParseJson } from '../../framework/json.js';
import { normaliseTags, PageBuilder, type SourceContext, type SourcePage, type StreamingSource } from '../../framework/source.js';
import { SocketFeed } from '../../framework/websocket.js';
import { matchingTags, postParts } from './record.js';
import { JetstreamEvent, JetstreamPostCreate } from './schema.js';

export type JetstreamConfig = Extract<SourceConfig, { type: 'bluesky-jetstream' }>;

export const DEFAULT_JETSTREAM = 'wss://jetstream2.us-east.bsky.network';
const POST_COLLECTION = 'app.bsky.feed.post';

/** The stored cursor: Jetstream's own, the `time_us` (unix microseconds) of the last event committed. */
export const JetstreamCursor = z.object({ timeUs: z.number().int().nonnegative() });
export type JetstreamCursor = z.infer<typeof JetstreamCursor>;

const BATCH_SIZE = 500;
const FLUSH_MS = 1000;
/** When nothing matches, the cursor is still committed this often, so a restart replays little. */
const CURSOR_COMMIT_MS = 5000;
/** Jetstream advises rewinding a few seconds on reconnect for gapless playback; the replayed posts' keys dedupe. */
const REWIND_US = 2_000_000;
/** With `--once`, a connection silent this long counts as caught up (the unfiltered post stream is never silent). */
const ONCE_IDLE_MS = 15_000;
/** With `--once`, give up after this many failed connections in a row; a continuous run keeps trying. */
const ONCE_MAX_FAILURES = 5;
const RECONNECT_BACKOFF = { baseMs: 1000, capMs: 60_000 };

/**
 * Bluesky in real time through Jetstream (`/subscribe?wantedCollections=app.bsky.feed.post`): every new post
 * on the network, as JSON, kept when its tag facets or `record.tags` carry a collected tag. The cursor is the
 * last committed event's `time_us`; reconnecting and restarting resume from it (rewound a little). Posts are
 * keyed by their at-uri, the same key the search source uses, so a post found by both is one key.
 */
export function createJetstreamSource(config: JetstreamConfig, context: SourceContext): StreamingSource<JetstreamCursor> {
  const tracked = normaliseTags(context.tags);
  const base = new URL(config.baseUrl ?? DEFAULT_JETSTREAM);
  const subscribeUrl = (position: number | undefined) => {
    const url = new URL('/subscribe', base);
    url.searchParams.set('wantedCollections', POST_COLLECTION);
    if (position !== undefined) url.searchParams.set('cursor', String(Math.max(0, position - REWIND_US)));
    return url;
  };
  const newPage = () => new PageBuilder({ sourceName: config.name, platform: 'bluesky', clock: context.clock });

  /** Adds one message to the page; returns its time_us, the position it moves the cursor to. */
  const readEvent = (page: PageBuilder, message: string): number | undefined => {
    const json = tryParseJson(message);
    const event = JetstreamEvent.safeParse(json);
    if (!event.success) {
      if (json === undefined) page.rejectUnreadable('json', 'not JSON', message, { source: base.host }, 'utf8');
      else page.rejectUnreadable('schema', describeIssues(event.error.issues), json, { source: base.host }, 'json');
      return undefined;
    }
    const { commit, time_us } = event.data;
    if (event.data.kind !== 'commit' || commit?.operation !== 'create' || commit.collection !== POST_COLLECTION) return time_us;
    // A cheap look for a tag's spelling anywhere in the record first: the firehose carries every post of the
    // network, and only those that can match are validated (a malformed post about something else is no dead letter of ours).
    const recordText = JSON.stringify(commit.record ?? null).toLowerCase();
    if (!tracked.some((tag) => recordText.includes(tag))) {
      page.skip();
      return time_us;
    }
    page.add(
      json,
      JetstreamPostCreate,
      (post) => {
        const tags = matchingTags(post.commit.record, tracked);
        if (tags.length === 0) return undefined;
        return postParts(`at://${post.did}/${POST_COLLECTION}/${post.commit.rkey}`, post.commit.record, { did: post.did }, tags[0]);
      },
      { source: base.host, time_us },
    );
    return time_us;
  };

  async function* stream(cursor: JetstreamCursor | undefined, { signal, untilCaughtUp }: { signal: AbortSignal; untilCaughtUp: boolean }): AsyncGenerator<SourcePage<JetstreamCursor>> {
    const startedUs = context.clock.now() * 1000;
    let position = cursor?.timeUs;
    let failures = 0;
    while (!signal.aborted) {
      const feed = SocketFeed.open(subscribeUrl(position), signal, config.timeoutMs);
      let page = newPage();
      let pagePosition = position;
      let lastCommit = context.clock.now();
      let lastMessage = context.clock.now();
      try {
        for (;;) {
          const batch = await feed.take(BATCH_SIZE, FLUSH_MS);
          for (const message of batch.messages) {
            const timeUs = readEvent(page, message);
            // Events replayed after the rewind are older than the position: the cursor never moves back.
            if (timeUs !== undefined && (pagePosition === undefined || timeUs > pagePosition)) pagePosition = timeUs;
          }
          const now = context.clock.now();
          if (batch.messages.length > 0) {
            failures = 0;
            lastMessage = now;
          }
          const caughtUp = untilCaughtUp && ((pagePosition ?? 0) >= startedUs || now - lastMessage >= ONCE_IDLE_MS);
          const due = page.envelopes.length + page.rejected.length > 0 || now - lastCommit >= CURSOR_COMMIT_MS || caughtUp;
          if (due && pagePosition !== undefined && pagePosition !== position) {
            yield page.page({ timeUs: pagePosition }, caughtUp);
            position = pagePosition;
            page = newPage();
            lastCommit = now;
          }
          if (caughtUp) return;
          if (batch.ended) throw batch.ended;
        }
      } catch (error) {
        if (signal.aborted) return;
        failures += 1;
        if (untilCaughtUp && failures >= ONCE_MAX_FAILURES) throw error;
        const waitMs = backoffDelay(failures - 1, RECONNECT_BACKOFF);
        context.log.warn('jetstream connection lost, reconnecting', { source: config.name, error, failures, waitMs, timeUs: position });
        await context.clock.sleep(waitMs, signal).catch(() => undefined);
      } finally {
        feed.close();
      }
    }
  }

  return {
    kind: 'streaming',
    name: config.name,
    platform: 'bluesky',
    query: 'firehose',
    cursorSchema: JetstreamCursor,
    stream,
  };
}
