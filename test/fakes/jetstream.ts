import { FakeHttpServer } from './http.js';
import { DID, postRecord, type PostSpec } from './bluesky.js';

/** One message the fake streams, at its time (unix microseconds). */
export interface StreamedEvent {
  timeUs: number;
  message: string;
  /** For filtering by `wantedCollections`: the commit's collection, if it is a commit. */
  collection?: string;
}

/** A post being created, as Jetstream sends it. */
export function postCreated(timeUs: number, spec: PostSpec, did = DID): StreamedEvent {
  const event = {
    did,
    time_us: timeUs,
    kind: 'commit',
    commit: { rev: `rev${timeUs}`, operation: 'create', collection: 'app.bsky.feed.post', rkey: spec.rkey, record: postRecord(spec), cid: `bafyrei${spec.rkey}` },
  };
  return { timeUs, message: JSON.stringify(event), collection: 'app.bsky.feed.post' };
}

export function postDeleted(timeUs: number, rkey: string, did = DID): StreamedEvent {
  const event = { did, time_us: timeUs, kind: 'commit', commit: { rev: `rev${timeUs}`, operation: 'delete', collection: 'app.bsky.feed.post', rkey } };
  return { timeUs, message: JSON.stringify(event), collection: 'app.bsky.feed.post' };
}

export function liked(timeUs: number, subject: string, did = DID): StreamedEvent {
  const event = {
    did,
    time_us: timeUs,
    kind: 'commit',
    commit: { rev: `rev${timeUs}`, operation: 'create', collection: 'app.bsky.feed.like', rkey: `like${timeUs}`, record: { $type: 'app.bsky.feed.like', createdAt: new Date(timeUs / 1000).toISOString(), subject: { uri: subject, cid: 'bafy' } }, cid: 'bafylike' },
  };
  return { timeUs, message: JSON.stringify(event), collection: 'app.bsky.feed.like' };
}

export function identityChanged(timeUs: number, did = DID): StreamedEvent {
  const event = { did, time_us: timeUs, kind: 'identity', identity: { did, handle: 'aigerim.bsky.social', seq: timeUs, time: new Date(timeUs / 1000).toISOString() } };
  return { timeUs, message: JSON.stringify(event) };
}

/**
 * Jetstream's `/subscribe`: replays the events at or after `cursor` (all of them without one, standing for
 * the live traffic a test wants delivered), only commits of the `wantedCollections`, then one live event
 * stamped now, and stays open. `stallAfter` makes every connection stop sending after that many events
 * (a stream that goes quiet mid-replay), to stop a collector part-way.
 */
export class FakeJetstream {
  readonly events: StreamedEvent[] = [];
  stallAfter = Number.POSITIVE_INFINITY;

  private constructor(readonly server: FakeHttpServer) {}

  static async start(): Promise<FakeJetstream> {
    const server = await FakeHttpServer.start(() => ({ status: 426, body: 'Upgrade Required' }));
    const fake = new FakeJetstream(server);
    server.acceptWebSockets((socket, request) => {
      const cursor = request.url.searchParams.get('cursor');
      const wanted = request.url.searchParams.getAll('wantedCollections');
      const backlog = fake.events
        .filter((event) => cursor === null || event.timeUs >= Number(cursor))
        .filter((event) => event.collection === undefined || wanted.length === 0 || wanted.includes(event.collection))
        .sort((a, b) => a.timeUs - b.timeUs);
      const sent = backlog.slice(0, fake.stallAfter);
      for (const event of sent) socket.send(event.message);
      if (sent.length === backlog.length) socket.send(identityChanged(Date.now() * 1000).message);
    });
    return fake;
  }

  get url(): string {
    return this.server.baseUrl.replace(/^http/, 'ws');
  }

  /** The `/subscribe` URLs collectors connected with. */
  subscriptions(): URL[] {
    return this.server.requestsTo('/subscribe').map((r) => r.url);
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
