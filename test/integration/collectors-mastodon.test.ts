import { afterEach, describe, expect, it } from 'vitest';
import { initialisedConfig } from '../support/config.js';
import { TestClock } from '../fakes/clock.js';
import { collectOnce, deadLetters, keyCounts, rawEnvelopes, storedCursors } from '../fakes/collector-harness.js';
import { FakeMastodon, mastodonRateLimited, mastodonStatus, taggedStatuses } from '../fakes/mastodon.js';

const fakes: FakeMastodon[] = [];
async function instance(): Promise<FakeMastodon> {
  const fake = await FakeMastodon.start();
  fakes.push(fake);
  return fake;
}
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

function mastodonSource(instances: string[], tags: string[], extra: Record<string, unknown> = {}) {
  return { sources: [{ type: 'mastodon', name: 'mastodon', instances, tags, ...extra }] };
}

describe('Mastodon collector through the real Kafka', () => {
  it('collects tag timelines of two instances to their end, one key per post across federation', async () => {
    const a = await instance();
    const b = await instance();
    const statuses = taggedStatuses('менояндым', 95);
    const parent = mastodonStatus({ id: '90', createdAt: '2026-03-07T10:00:00Z', content: '<p>parent</p>', tags: [] });
    const reply = mastodonStatus({
      id: '120000000000000000',
      uri: 'https://kz.example/users/dana/statuses/reply',
      acct: 'dana',
      createdAt: '2026-03-08T05:00:00Z',
      content: '<p>Қолдаймын!<br>Жалғастырыңыз &amp; <a href="https://kz.example/tags/%D0%BC%D0%B5%D0%BD%D0%BE%D1%8F%D0%BD%D0%B4%D1%8B%D0%BC" rel="tag">#<span>МенОяндым</span></a></p>',
      tags: ['менояндым'],
      inReplyToId: '90',
    });
    const original = mastodonStatus({ id: '555', uri: 'https://other.example/users/zhanna/statuses/1', acct: 'zhanna@other.example', createdAt: '2026-03-08T03:00:00Z', content: '<p>boosted original</p>', tags: ['менояндым'] });
    const boost = mastodonStatus({ id: '120000000000000001', uri: 'https://kz.example/users/aigerim/statuses/boost', createdAt: '2026-03-08T05:01:00Z', content: '', tags: [], reblog: original });
    const malformed = { ...mastodonStatus({ id: '110000000000000500', createdAt: 'yesterday', content: '<p>bad</p>', tags: ['менояндым'] }), account: undefined };
    a.add(...statuses, reply, boost, malformed, parent);
    // Instance b knows ten of a's posts (same uri, its own ids) and five of its own.
    b.add(
      ...statuses.slice(0, 10).map((s, i) => ({ ...s, id: String(200_000_000_000_000_000n + BigInt(i)) })),
      ...taggedStatuses('менояндым', 5, 210_000_000_000_000_000n, 'b.example'),
    );
    a.add(...taggedStatuses('seruen', 3, 130_000_000_000_000_000n));
    const config = await initialisedConfig(mastodonSource([a.baseUrl, b.baseUrl], ['МенОяндым', '#seruen']));

    const [summary] = await collectOnce(config);

    expect(summary!.error).toBeUndefined();
    expect(summary!.queries.map((q) => [q.query, q.complete, q.error])).toEqual([
      [`${new URL(a.baseUrl).host}#менояндым`, true, undefined],
      [`${new URL(a.baseUrl).host}#seruen`, true, undefined],
      [`${new URL(b.baseUrl).host}#менояндым`, true, undefined],
      [`${new URL(b.baseUrl).host}#seruen`, true, undefined],
    ]);
    // Lowercased and percent-encoded: the Cyrillic tag reached the fake's path as Mastodon expects it.
    expect(a.timelineRequests('менояндым').length).toBeGreaterThanOrEqual(3);
    expect(a.timelineRequests('менояндым').every((url) => url.searchParams.get('limit') === '40')).toBe(true);

    const envelopes = await rawEnvelopes(config);
    const counts = keyCounts(envelopes);
    const expected = [
      ...statuses.map((s) => s.uri),
      reply.uri,
      original.uri,
      ...taggedStatuses('менояндым', 5, 210_000_000_000_000_000n, 'b.example').map((s) => s.uri),
      ...taggedStatuses('seruen', 3, 130_000_000_000_000_000n).map((s) => s.uri),
    ].map((uri) => `mastodon:${uri}`);
    expect([...counts.keys()].sort()).toEqual(expected.sort());
    // Only the ten posts both instances show were sent twice, under the one key the normaliser dedupes.
    expect([...counts.values()].filter((n) => n === 2)).toHaveLength(10);
    expect(envelopes.length).toBe(expected.length + 10);

    const replyEnvelope = envelopes.find((e) => e.platformId === reply.uri)!;
    expect(replyEnvelope).toMatchObject({
      source: `mastodon:${new URL(a.baseUrl).host}`,
      platform: 'mastodon',
      query: 'менояндым',
      item: {
        text: 'Қолдаймын!\nЖалғастырыңыз & #МенОяндым',
        createdAt: '2026-03-08T05:00:00Z',
        author: { id: `dana@${new URL(a.baseUrl).host}` },
        tags: ['менояндым'],
        platformLang: 'kk',
        replyTo: { platformId: parent.uri },
        engagement: { likes: 3, shares: 2, replies: 1 },
      },
    });
    expect(envelopes.find((e) => e.platformId === original.uri)!.item).toMatchObject({ text: 'boosted original', author: { id: 'zhanna@other.example' } });
    expect(envelopes.some((e) => e.platformId === boost.uri)).toBe(false);

    const letters = await deadLetters(config);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ stage: 'collect:mastodon', reason: 'schema', raw: JSON.parse(JSON.stringify(malformed)) });
    expect(letters[0]!.detail).toMatch(/account/);
  });

  it('a second run collects only what is new, stopping at the previous run’s newest status', async () => {
    const fake = await instance();
    fake.add(...taggedStatuses('metoo', 50));
    const config = await initialisedConfig(mastodonSource([fake.baseUrl], ['metoo']));
    await collectOnce(config);
    const newestFirstRun = taggedStatuses('metoo', 50).at(-1)!.id;
    const key = `mastodon:${new URL(fake.baseUrl).host}#metoo`;
    expect((await storedCursors(config)).get(key)!.position).toEqual({ highWater: newestFirstRun });

    const fresh = taggedStatuses('metoo', 5, 111_000_000_000_000_000n);
    fake.add(...fresh);
    const before = fake.timelineRequests('metoo').length;
    const [summary] = await collectOnce(config);

    expect(summary!.queries[0]).toMatchObject({ sent: 5, complete: true });
    const secondRun = fake.timelineRequests('metoo').slice(before);
    expect(secondRun.every((url) => url.searchParams.get('since_id') === newestFirstRun)).toBe(true);
    const counts = keyCounts(await rawEnvelopes(config));
    expect(counts.size).toBe(55);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect((await storedCursors(config)).get(key)!.position).toEqual({ highWater: fresh.at(-1)!.id });
  });

  it('a collector that fails mid-backfill resumes after its last committed page in a fresh instance, losing nothing', async () => {
    const fake = await instance();
    const statuses = taggedStatuses('qazaqkoktemi', 200);
    fake.add(...statuses);
    const config = await initialisedConfig(mastodonSource([fake.baseUrl], ['qazaqkoktemi']));
    // The instance breaks for good at the third page: the collector retries with backoff, then gives up.
    let pagesServed = 0;
    fake.server.intercept(
      (request) => request.url.pathname.includes('/timelines/tag/') && ++pagesServed >= 3,
      () => ({ status: 500, body: { error: 'Internal server error' } }),
      Number.POSITIVE_INFINITY,
    );
    const clock = new TestClock();
    const [failed] = await collectOnce(config, { clock });

    expect(failed!.queries[0]).toMatchObject({ pages: 2, sent: 80, complete: false });
    expect(failed!.queries[0]!.error).toMatch(/500/);
    // Five retries with full jitter (fixed at half) of an exponential window starting at 1 s.
    expect(clock.sleeps).toEqual([500, 1000, 2000, 4000, 8000]);
    const key = `mastodon:${new URL(fake.baseUrl).host}#qazaqkoktemi`;
    const midway = (await storedCursors(config)).get(key)!.position;
    expect(midway).toEqual({ run: { top: statuses.at(-1)!.id, next: statuses.at(-80)!.id } });

    fake.server.clearInterceptions();
    const [resumed] = await collectOnce(config);

    expect(resumed!.queries[0]).toMatchObject({ sent: 120, complete: true });
    const counts = keyCounts(await rawEnvelopes(config));
    expect(counts.size).toBe(200);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect((await storedCursors(config)).get(key)!.position).toEqual({ highWater: statuses.at(-1)!.id });
  });

  it('waits out a 429 until the ISO X-RateLimit-Reset, and pauses before the next request when a window is used up', async () => {
    const fake = await instance();
    fake.add(...taggedStatuses('seruen', 60));
    const config = await initialisedConfig(mastodonSource([fake.baseUrl], ['seruen']));
    fake.server.intercept((request) => request.url.pathname.includes('/timelines/tag/'), () => mastodonRateLimited(30_000));
    // The second page is served with the last request of its window: the third must wait for the reset
    // (120 s from then, less the 30 s the clock already moved on for the 429).
    let served = 0;
    fake.server.intercept(
      (request) => request.url.pathname.includes('/timelines/tag/') && ++served === 2,
      (request) => {
        const answer = fake.respond(request);
        return { ...answer, headers: { ...answer.headers, 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': new Date(Date.now() + 120_000).toISOString() } };
      },
    );
    const clock = new TestClock();
    const [summary] = await collectOnce(config, { clock });

    expect(summary!.queries[0]).toMatchObject({ sent: 60, complete: true });
    expect(clock.sleeps).toHaveLength(2);
    // ISO resets have millisecond precision; the clock moved on only by the time the requests took.
    expect(clock.sleeps[0]).toBeGreaterThan(29_000);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(30_000);
    expect(clock.sleeps[1]).toBeGreaterThan(119_000 - 30_000);
  });
});
