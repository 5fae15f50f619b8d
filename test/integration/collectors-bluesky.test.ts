import { afterEach, describe, expect, it } from 'vitest';
import { restoreCursors } from '../../ingest/framework/kafka.js';
import { waitFor } from '../../infra/wait.js';
import { initialisedConfig } from '../support/config.js';
import { TestClock } from '../fakes/clock.js';
import { collectOnce, deadLetters, keyCounts, rawEnvelopes, storedCursors } from '../fakes/collector-harness.js';
import { blueskyRateLimited, DID, FakeBluesky, postUri, postView, taggedPosts } from '../fakes/bluesky.js';
import { FakeJetstream, identityChanged, liked, postCreated, postDeleted } from '../fakes/jetstream.js';

const account = { identifier: 'aigerim.bsky.social', appPassword: 'abcd-efgh-ijkl-mnop' };
const env = { TAGPULSE_BLUESKY_IDENTIFIER: account.identifier, TAGPULSE_BLUESKY_APP_PASSWORD: account.appPassword };

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});
async function startBluesky(): Promise<FakeBluesky> {
  const fake = await FakeBluesky.start(account);
  closers.push(() => fake.close());
  return fake;
}
async function startJetstream(): Promise<FakeJetstream> {
  const fake = await FakeJetstream.start();
  closers.push(() => fake.close());
  return fake;
}

describe('Bluesky search collector through the real Kafka', () => {
  it('pages searchPosts with an app-password session, refreshes an expired token, waits out a 429, dead-letters a malformed post', async () => {
    const fake = await startBluesky();
    const posts = taggedPosts('qazaqkoktemi', 250);
    const reply = postView({
      rkey: 'reply',
      text: 'Қолдаймын 💪 #QazaqKoktemi',
      createdAt: '2026-03-08T08:30:00.000Z',
      indexedAt: '2026-03-08T08:30:01.000Z',
      replyTo: postUri(DID, 'p3'),
    });
    const malformed = { ...postView({ rkey: 'bad', text: '#qazaqkoktemi', createdAt: '2026-03-08T05:00:30.000Z' }), author: { handle: 'no-did.bsky.social' } };
    fake.posts.push(...posts, reply, malformed);
    const config = await initialisedConfig({ sources: [{ type: 'bluesky', name: 'bluesky', baseUrl: fake.baseUrl, tags: ['QazaqKoktemi'] }] });
    // The second search finds its token expired; the fourth (the third page, after the refresh) is rate limited.
    const nthSearch = (n: number) => (r: { url: URL }) => r.url.pathname.endsWith('searchPosts') && fake.searchRequests().length === n;
    fake.server.intercept(
      nthSearch(2),
      (request) => {
        fake.expireAccessTokens();
        return fake.respond(request);
      },
    );
    fake.server.intercept(nthSearch(4), () => blueskyRateLimited(42));
    const clock = new TestClock();
    const [summary] = await collectOnce(config, { clock, env });

    expect(summary!.error).toBeUndefined();
    expect(summary!.queries).toMatchObject([{ query: 'qazaqkoktemi', fetched: 252, sent: 251, rejected: 1, complete: true }]);
    expect([fake.sessionsCreated, fake.refreshes]).toEqual([1, 1]);
    // Waited until the epoch-seconds reset (whole seconds, so up to one less than advertised).
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThan(40_900);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(42_000);

    const requests = fake.searchRequests();
    expect(requests[0]!.searchParams.get('q')).toBe('#qazaqkoktemi');
    expect(requests[0]!.searchParams.get('sort')).toBe('latest');
    expect(requests[0]!.searchParams.has('until')).toBe(false);
    // Pages after the first pin the result set to the run's newest post, so new posts do not shift the offsets.
    expect(requests.slice(1).every((url) => url.searchParams.get('until') === '2026-03-08T08:30:00.001Z')).toBe(true);

    const envelopes = await rawEnvelopes(config);
    expect(keyCounts(envelopes).size).toBe(251);
    expect(envelopes).toHaveLength(251);
    expect(envelopes.find((e) => e.platformId === reply.uri)).toMatchObject({
      source: 'bluesky',
      platform: 'bluesky',
      query: 'qazaqkoktemi',
      item: {
        text: 'Қолдаймын 💪 #QazaqKoktemi',
        author: { id: DID, handle: 'aigerim.bsky.social' },
        tags: ['QazaqKoktemi'],
        url: `https://bsky.app/profile/aigerim.bsky.social/post/reply`,
        platformLang: 'kk',
        replyTo: { platformId: postUri(DID, 'p3') },
        threadId: postUri(DID, 'p3'),
        engagement: { likes: 5, shares: 2, replies: 1 },
      },
    });
    const letters = await deadLetters(config);
    expect(letters).toMatchObject([{ stage: 'collect:bluesky', reason: 'schema', raw: malformed }]);
    expect((await storedCursors(config)).get('bluesky:qazaqkoktemi')!.position).toEqual({ highWater: '2026-03-08T08:30:00.000Z' });

    // The next run asks only for posts since the mark (inclusive: the boundary post comes again, under its one key).
    fake.posts.push(...taggedPosts('qazaqkoktemi', 3, 'new', 300));
    const before = fake.searchRequests().length;
    const [second] = await collectOnce(config, { env });
    expect(second!.queries[0]).toMatchObject({ sent: 4, complete: true });
    expect(fake.searchRequests().slice(before).map((url) => url.searchParams.get('since'))).toEqual(['2026-03-08T08:30:00.000Z']);
    const counts = keyCounts(await rawEnvelopes(config));
    expect(counts.size).toBe(254);
    expect([...counts].filter(([, n]) => n > 1)).toEqual([[`bluesky:${reply.uri}`, 2]]);
  });

  it("without an app password, the AppView's HTML 403 becomes an error naming the variables to set", async () => {
    const fake = await startBluesky();
    fake.posts.push(...taggedPosts('metoo', 3));
    const config = await initialisedConfig({ sources: [{ type: 'bluesky', name: 'bluesky', baseUrl: fake.baseUrl, tags: ['metoo', 'seruen'] }] });
    const [summary] = await collectOnce(config, { env: {} });
    expect(summary!.queries).toEqual([]);
    expect(summary!.error).toMatch(/403 \(an HTML page\)/);
    expect(summary!.error).toMatch(/TAGPULSE_BLUESKY_IDENTIFIER.*TAGPULSE_BLUESKY_APP_PASSWORD/);
    // One refusal stops the source: the other tag is not tried against the same wall.
    expect(fake.searchRequests()).toHaveLength(1);

    const [wrong] = await collectOnce(config, { env: { ...env, TAGPULSE_BLUESKY_APP_PASSWORD: 'not-it' } });
    expect(wrong!.error).toMatch(/refused the session for aigerim\.bsky\.social \(AuthenticationRequired/);
    expect(wrong!.error).toMatch(/TAGPULSE_BLUESKY_APP_PASSWORD/);
  });
});

describe('Bluesky Jetstream collector through the real Kafka', () => {
  const base = 1_772_942_400_000_000; // 2026-03-08T04:00:00Z in microseconds
  const at = (i: number) => base + i * 100_000;

  /** Posts every 100 ms: tagged in facets after Cyrillic and emoji, tagged only in record.tags, or about the tag without tagging it. */
  function firehose(fake: FakeJetstream, count: number) {
    const matching: string[] = [];
    for (let i = 0; i < count; i++) {
      const createdAt = new Date(at(i) / 1000).toISOString();
      if (i % 4 === 0) {
        fake.events.push(postCreated(at(i), { rkey: `f${i}`, text: `Әйелдер 🌷 шеруге шықты #МенОяндым ${i}`, createdAt }));
        matching.push(postUri(DID, `f${i}`));
      } else if (i % 4 === 1) {
        fake.events.push(postCreated(at(i), { rkey: `t${i}`, text: `hidden tag ${i}`, createdAt, tags: ['metoo'] }));
        matching.push(postUri(DID, `t${i}`));
      } else if (i % 4 === 2) {
        fake.events.push(postCreated(at(i), { rkey: `n${i}`, text: `metoo, but no hashtag ${i}`, createdAt }));
      } else {
        fake.events.push(liked(at(i), postUri(DID, 'f0')), identityChanged(at(i) + 1));
      }
    }
    return matching;
  }

  it('keeps posts whose tag facets or record tags match, and stops once caught up', async () => {
    const fake = await startJetstream();
    const matching = firehose(fake, 40);
    fake.events.push(
      { timeUs: at(40), message: '{"did":"did:plc:x","time_us":' },
      postCreated(at(41), { rkey: 'bad', text: '#metoo', createdAt: 'not a date' }),
      postDeleted(at(42), 'f0'),
    );
    const config = await initialisedConfig({ sources: [{ type: 'bluesky-jetstream', name: 'jetstream', baseUrl: fake.url, tags: ['metoo', 'менояндым'] }] });
    const [summary] = await collectOnce(config);

    expect(summary!.error).toBeUndefined();
    expect(summary!.queries).toMatchObject([{ query: 'firehose', complete: true, sent: 20, rejected: 2 }]);
    expect(fake.subscriptions()[0]!.searchParams.getAll('wantedCollections')).toEqual(['app.bsky.feed.post']);
    const envelopes = await rawEnvelopes(config);
    expect(envelopes.map((e) => e.platformId).sort()).toEqual([...matching].sort());
    expect(envelopes.find((e) => e.platformId === postUri(DID, 'f4'))).toMatchObject({
      source: 'jetstream',
      query: 'менояндым',
      item: { text: 'Әйелдер 🌷 шеруге шықты #МенОяндым 4', author: { id: DID }, tags: ['МенОяндым'], url: `https://bsky.app/profile/${DID}/post/f4` },
    });
    expect((await deadLetters(config)).map((l) => [l.reason, l.rawEncoding])).toEqual([
      ['json', 'utf8'],
      ['schema', 'json'],
    ]);
    // The cursor is the live event's time: the next run starts from there.
    expect((await storedCursors(config)).get('jetstream:firehose')!.position).toEqual({ timeUs: expect.any(Number) });
  });

  it('stopped mid-stream, a fresh collector resumes from the committed time_us, re-sending only the rewound seconds', async () => {
    const fake = await startJetstream();
    const matching = firehose(fake, 200);
    const config = await initialisedConfig({ sources: [{ type: 'bluesky-jetstream', name: 'jetstream', baseUrl: fake.url, tags: ['metoo', 'менояндым'] }] });
    fake.stallAfter = 120;
    const stop = new AbortController();
    const first = collectOnce(config, { signal: stop.signal });
    let committedUs = 0;
    await waitFor(
      'the stalled stream’s events to be committed',
      async () => {
        // restoreCursors, not storedCursors: settling would fence the collector still running.
        committedUs = ((await restoreCursors(config)).get('jetstream:firehose')?.position as { timeUs: number } | undefined)?.timeUs ?? 0;
        return committedUs > 0;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    stop.abort(new Error('SIGTERM'));
    const [stopped] = await first;
    expect(stopped!.queries[0]!.error).toBeUndefined();
    committedUs = ((await storedCursors(config)).get('jetstream:firehose')!.position as { timeUs: number }).timeUs;

    fake.stallAfter = Number.POSITIVE_INFINITY;
    const [resumed] = await collectOnce(config);
    expect(resumed!.queries[0]).toMatchObject({ complete: true });
    expect(fake.subscriptions().at(-1)!.searchParams.get('cursor')).toBe(String(committedUs - 2_000_000));

    const counts = keyCounts(await rawEnvelopes(config));
    expect([...counts.keys()].sort()).toEqual(matching.map((uri) => `bluesky:${uri}`).sort());
    const eventTime = (key: string) => at(Number(/\/[ft](\d+)$/.exec(key)![1]));
    for (const [key, n] of counts) {
      if (n > 1) expect(eventTime(key)).toBeGreaterThanOrEqual(committedUs - 2_000_000);
    }
  });
});
