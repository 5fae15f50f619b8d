import { afterEach, describe, expect, it } from 'vitest';
import type { TagpulseConfig } from '../../schemas/index.js';
import { Collector, type SourceSummary } from '../../ingest/framework/collector.js';
import { SourceSetupError } from '../../ingest/framework/source.js';
import { createSource } from '../../ingest/sources/index.js';
import { initialisedConfig } from '../support/config.js';
import { TestClock } from '../fakes/clock.js';
import { collectOnce, deadLetters, keyCounts, rawEnvelopes, storedCursors } from '../fakes/collector-harness.js';
import { FakeMastodon, mastodonRateLimited, mastodonStatus, taggedStatuses, type FakeMastodonOptions } from '../fakes/mastodon.js';
import { recordingLog } from '../unit/collectors/recording-log.js';

const fakes: FakeMastodon[] = [];
async function instance(options: FakeMastodonOptions = {}): Promise<FakeMastodon> {
  const fake = await FakeMastodon.start(options);
  fakes.push(fake);
  return fake;
}
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

function mastodonSource(instances: string[], tags: string[], extra: Record<string, unknown> = {}) {
  return { sources: [{ type: 'mastodon', name: 'mastodon', instances, tags, ...extra }] };
}

/** `collectOnce` with a logger that keeps its lines, to check what a run reports. */
async function collectLogged(config: TagpulseConfig, env: NodeJS.ProcessEnv = {}) {
  const clock = new TestClock();
  const log = recordingLog();
  const sources = config.sources.map((source) => createSource(config, source, { clock, log, env, http: { random: () => 0.5 } }));
  const collector = await Collector.open(config, sources, { clock, log });
  let summaries: SourceSummary[];
  try {
    summaries = await collector.runOnce(new AbortController().signal);
  } finally {
    await collector.close();
  }
  return { summary: summaries[0]!, lines: log.lines };
}

const host = (fake: FakeMastodon) => new URL(fake.baseUrl).host;
const TOKEN = 'mastodon-read-token-8f3a2c';

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

  describe('instances that show tag timelines to logged-in accounts only', () => {
    it('without a token: reports each refusing instance with the hint, keeps its cursor, and collects the other instance', async () => {
      const locked = await instance({ requireToken: TOKEN });
      const older = await instance({ requireToken: TOKEN, refusalStatus: 422 });
      const open = await instance();
      locked.add(...taggedStatuses('metoo', 10));
      older.add(...taggedStatuses('metoo', 10, 120_000_000_000_000_000n, 'old.example'));
      open.add(...taggedStatuses('metoo', 7, 130_000_000_000_000_000n, 'open.example'));
      const config = await initialisedConfig(mastodonSource([locked.baseUrl, older.baseUrl, open.baseUrl], ['metoo']));

      const { summary, lines } = await collectLogged(config);

      // One instance's refusal is that instance's failure, not the source's: the run went on.
      expect(summary.error).toBeUndefined();
      expect(summary.queries).toHaveLength(3);
      const [lockedQuery, olderQuery, openQuery] = summary.queries;
      for (const [query, fake, status] of [[lockedQuery, locked, 401], [olderQuery, older, 422]] as const) {
        expect(query).toMatchObject({ query: `${host(fake)}#metoo`, pages: 0, sent: 0, complete: false });
        expect(query!.error).toBe(
          `${host(fake)} requires a logged-in account for tag timelines (${status}: This method requires an authenticated user); ` +
            `set accessTokenEnv on source mastodon to the name of an environment variable holding an access token of an account on ${host(fake)} (read:statuses scope)`,
        );
        // Refused once per query: a 4xx is not retried.
        expect(fake.timelineRequests('metoo')).toHaveLength(1);
        expect(fake.server.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
        const failed = lines.find((l) => l.event === 'query failed' && l.fields.query === `${host(fake)}#metoo`);
        expect(failed).toMatchObject({ level: 'error', fields: { source: 'mastodon', error: query!.error } });
      }
      expect(openQuery).toMatchObject({ query: `${host(open)}#metoo`, sent: 7, complete: true });
      expect(openQuery!.error).toBeUndefined();

      const envelopes = await rawEnvelopes(config);
      expect(envelopes).toHaveLength(7);
      expect(envelopes.every((e) => e.source === `mastodon:${host(open)}`)).toBe(true);
      const cursors = await storedCursors(config);
      expect(cursors.has(`mastodon:${host(locked)}#metoo`)).toBe(false);
      expect(cursors.has(`mastodon:${host(older)}#metoo`)).toBe(false);
      expect(cursors.has(`mastodon:${host(open)}#metoo`)).toBe(true);
    });

    it('with accessTokenEnv: sends the token as a Bearer header, never in a URL, and collects the instance', async () => {
      const locked = await instance({ requireToken: TOKEN });
      const statuses = taggedStatuses('metoo', 50);
      const parent = mastodonStatus({ id: '90', createdAt: '2026-03-07T10:00:00Z', content: '<p>parent</p>', tags: [] });
      const reply = mastodonStatus({ id: '120000000000000000', acct: 'dana', createdAt: '2026-03-08T05:00:00Z', content: '<p>reply</p>', tags: ['metoo'], inReplyToId: '90' });
      locked.add(...statuses, parent, reply);
      const config = await initialisedConfig(mastodonSource([locked.baseUrl], ['metoo'], { accessTokenEnv: 'TAGPULSE_MASTODON_TOKEN' }));
      const env = { TAGPULSE_MASTODON_TOKEN: TOKEN };

      const { summary, lines } = await collectLogged(config, env);

      expect(summary.error).toBeUndefined();
      expect(summary.queries.map((q) => [q.query, q.sent, q.complete, q.error])).toEqual([[`${host(locked)}#metoo`, 51, true, undefined]]);
      expect(locked.timelineRequests('metoo').length).toBeGreaterThanOrEqual(2);
      // Every request carries the token, in the header only.
      const requests = locked.server.requests;
      expect(locked.server.requestsTo('/api/v1/statuses/90')).toHaveLength(1);
      expect(requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
      expect(requests.some((r) => decodeURIComponent(r.url.href).includes(TOKEN))).toBe(false);
      expect(JSON.stringify(lines)).not.toContain(TOKEN);

      const envelopes = await rawEnvelopes(config);
      expect(keyCounts(envelopes).size).toBe(51);
      expect(JSON.stringify(envelopes)).not.toContain(TOKEN);
      expect(envelopes.find((e) => e.platformId === reply.uri)!.item.replyTo).toEqual({ platformId: parent.uri });
      expect((await storedCursors(config)).get(`mastodon:${host(locked)}#metoo`)!.position).toEqual({ highWater: reply.id });
    });

    it('a refused instance is collected from where it was once the token is configured', async () => {
      const locked = await instance({ requireToken: TOKEN });
      locked.add(...taggedStatuses('metoo', 45));
      const config = await initialisedConfig(mastodonSource([locked.baseUrl], ['metoo']));
      const [refused] = await collectOnce(config);
      expect(refused!.queries[0]!.error).toMatch(/requires a logged-in account for tag timelines .*set accessTokenEnv/);

      const withToken: TagpulseConfig = { ...config, sources: [{ ...config.sources[0]!, accessTokenEnv: 'TAGPULSE_MASTODON_TOKEN' } as TagpulseConfig['sources'][number]] };
      const [collected] = await collectOnce(withToken, { env: { TAGPULSE_MASTODON_TOKEN: TOKEN } });

      expect(collected!.queries[0]).toMatchObject({ sent: 45, complete: true });
      expect(keyCounts(await rawEnvelopes(config)).size).toBe(45);
    });

    it('refuses to start without the variable accessTokenEnv names, and reports a token the instance does not accept', async () => {
      const locked = await instance({ requireToken: TOKEN });
      locked.add(...taggedStatuses('metoo', 3));
      const config = await initialisedConfig(mastodonSource([locked.baseUrl], ['metoo'], { accessTokenEnv: 'TAGPULSE_MASTODON_TOKEN' }));

      const missing = collectOnce(config, { env: {} });
      await expect(missing).rejects.toThrow(SourceSetupError);
      await expect(missing).rejects.toThrow(
        `source mastodon: set TAGPULSE_MASTODON_TOKEN to an access token of an account on ${host(locked)} (a read-only app token with the read:statuses scope will do), or remove accessTokenEnv from the source`,
      );
      expect(locked.server.requests).toHaveLength(0);
      // A token is never sent to an instance it does not belong to: with two instances, the source refuses to start.
      const open = await instance();
      const two = await initialisedConfig(mastodonSource([locked.baseUrl, open.baseUrl], ['metoo'], { accessTokenEnv: 'TAGPULSE_MASTODON_TOKEN' }));
      await expect(collectOnce(two, { env: { TAGPULSE_MASTODON_TOKEN: TOKEN } })).rejects.toThrow(/accessTokenEnv needs a source with one instance \(it lists 2\)/);
      expect([...locked.server.requests, ...open.server.requests]).toHaveLength(0);

      const [wrong] = await collectOnce(config, { env: { TAGPULSE_MASTODON_TOKEN: 'revoked-token' } });
      expect(wrong!.error).toBeUndefined();
      expect(wrong!.queries[0]).toMatchObject({ sent: 0, complete: false });
      expect(wrong!.queries[0]!.error).toMatch(
        new RegExp(`^${host(locked)} requires a logged-in account for tag timelines and did not accept the token in TAGPULSE_MASTODON_TOKEN as one \\(401: `),
      );
      expect(wrong!.queries[0]!.error).not.toContain('revoked-token');
    });
  });
});
