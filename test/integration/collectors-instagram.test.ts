import { afterEach, describe, expect, it } from 'vitest';
import type { TagpulseConfig } from '../../schemas/index.js';
import { Collector } from '../../ingest/framework/collector.js';
import { openPageWriter } from '../../ingest/framework/kafka.js';
import { createSource } from '../../ingest/sources/index.js';
import { initialisedConfig } from '../support/config.js';
import { collectOnce, deadLetters, keyCounts, rawEnvelopes, storedCursors } from '../fakes/collector-harness.js';
import { TestClock } from '../fakes/clock.js';
import { FakeInstagram, graphError, hashtagId, media, type FakeMedia } from '../fakes/instagram.js';
import { recordingLog } from '../unit/collectors/recording-log.js';

const token = 'EAAGlongLivedToken';
const userId = '17841405822304914';
const env = { TAGPULSE_INSTAGRAM_TOKEN: token };
const MINUTE = 60_000;

let fake: FakeInstagram;
afterEach(async () => {
  await fake.close();
});

function instagramSource(tags: string[], settings: Record<string, unknown> = {}) {
  return { sources: [{ type: 'instagram', name: 'instagram', baseUrl: fake.baseUrl, userId, tags, schedule: '*/30 * * * *', ...settings }] };
}

/** `collectOnce` with a log the test can read (warnings the source gives). */
async function collectLogged(config: TagpulseConfig) {
  const log = recordingLog();
  const clock = new TestClock();
  const sources = config.sources.map((source) => createSource(config, source, { clock, env, log, http: { random: () => 0.5 } }));
  const collector = await Collector.open(config, sources, { clock, log });
  try {
    const [summary] = await collector.runOnce(new AbortController().signal);
    return { summary: summary!, warnings: log.lines.filter((line) => line.level === 'warn').map((line) => line.event) };
  } finally {
    await collector.close();
  }
}

/** `count` media of `tag` from `first` (epoch ms) on, `stepMs` apart. */
function series(prefix: string, count: number, first: number, stepMs: number, tag: string): FakeMedia[] {
  return Array.from({ length: count }, (_, i) => media(`${prefix}${String(i).padStart(4, '0')}`, first + i * stepMs, `Көктем ${i} #${tag}`));
}

/** Which pages (of 50) of the tag's current listing hold these media. */
function pagesOf(tag: string, ids: readonly string[]): Set<number> {
  const listing = fake.listing(tag).map((m) => m.id);
  return new Set(ids.map((id) => Math.floor(listing.indexOf(id) / 50)));
}

describe('Instagram hashtag collector through the real Kafka', () => {
  it('pages recent_media until paging.next is missing, dead-letters a malformed media, and takes only what is new next time', async () => {
    fake = await FakeInstagram.start(token, userId);
    const start = Math.floor(Date.now() / 1000) * 1000 - 20 * 60 * MINUTE;
    const items = Array.from({ length: 120 }, (_, i) => media(`179${String(i).padStart(5, '0')}`, start + i * 10 * MINUTE, `Шеру ${i} #Seruen 🌷`));
    items[7] = media('17900007', start + 70 * MINUTE, 'Тег бірінші пікірде'); // tagged in the owner's first comment
    const malformed = { ...media('17900500', start + 5 * MINUTE, '#seruen'), media_type: 'REEL' };
    const old = media('17800000', Date.now() - 30 * 60 * MINUTE, '#seruen ескі'); // older than 24 hours: not shown
    fake.add('seruen', ...items, malformed as never, old);
    const config = await initialisedConfig(instagramSource(['Seruen']));
    const [summary] = await collectOnce(config, { env });

    expect(summary!.error).toBeUndefined();
    expect(summary!.queries).toMatchObject([{ query: 'seruen', pages: 3, fetched: 121, sent: 120, rejected: 1, complete: true }]);
    expect(fake.hashtagSearches().map((p) => [p.get('q'), p.get('user_id')])).toEqual([['seruen', userId]]);
    const pages = fake.mediaRequests('seruen');
    expect(pages.map((p) => p.get('limit'))).toEqual(['50', '50', '50']);
    expect(pages[0]!.has('after')).toBe(false);
    // Instagram's after cursor is the same on every page; only the missing paging.next ends the listing.
    expect(pages[1]!.get('after')).toBeTruthy();
    expect(pages[2]!.get('after')).toBe(pages[1]!.get('after'));
    // The token travels in a header, never in a URL.
    expect(fake.server.requests.every((r) => !r.url.search.includes(token))).toBe(true);

    const envelopes = await rawEnvelopes(config);
    expect(keyCounts(envelopes).size).toBe(120);
    expect(envelopes.find((e) => e.platformId === items[119]!.id)).toMatchObject({
      source: 'instagram',
      platform: 'instagram',
      query: 'seruen',
      item: {
        text: 'Шеру 119 #Seruen 🌷',
        createdAt: new Date(start + 1190 * MINUTE).toISOString(),
        tags: ['Seruen'],
        url: `https://www.instagram.com/p/${items[119]!.id}/`,
        engagement: { likes: 40, replies: 3 },
      },
    });
    expect(envelopes.find((e) => e.platformId === '17900007')!.item.tags).toEqual(['seruen']);
    const letters = await deadLetters(config);
    expect(letters).toMatchObject([{ stage: 'collect:instagram', reason: 'schema', raw: malformed }]);
    expect(letters[0]!.detail).toMatch(/media_type/);
    // The cursor lists what was sent (the dead-lettered media too), by id with its timestamp; no run in progress.
    const cursors = await storedCursors(config);
    const position = cursors.get('instagram:seruen')!.position as { sent: Record<string, number>; run?: unknown };
    expect(Object.keys(position.sent)).toHaveLength(121);
    expect(position.sent[items[119]!.id]).toBe((start + 1190 * MINUTE) / 1000);
    expect(position.sent['17900500']).toBe((start + 5 * MINUTE) / 1000);
    expect(position.run).toBeUndefined();
    expect(cursors.get('instagram:@state')!.position).toMatchObject({ hashtags: { seruen: { id: hashtagId('seruen') } } });

    // Later: the hashtag id is kept (no second ig_hashtag_search); the whole listing is read again and only
    // the new media is sent; the malformed one is not dead-lettered again.
    fake.add('seruen', media('17999999', Date.now() - MINUTE, 'Жаңа #seruen'));
    const [second] = await collectOnce(config, { env });
    expect(second!.queries[0]).toMatchObject({ pages: 3, fetched: 122, sent: 1, rejected: 0, complete: true });
    expect(fake.hashtagSearches()).toHaveLength(1);
    const counts = keyCounts(await rawEnvelopes(config));
    expect(counts.size).toBe(121);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(await deadLetters(config)).toHaveLength(1);
  });

  it('sends 180 media listed out of order over 4 pages once, then exactly the 20 new ones, older ones too', async () => {
    fake = await FakeInstagram.start(token, userId);
    const now = Math.floor(Date.now() / 1000) * 1000;
    // 180 media over 18 hours, up to 2 hours ago.
    const first = series('1791', 180, now - 20 * 60 * MINUTE, 6 * MINUTE, 'qazaqkoktemi');
    fake.add('qazaqkoktemi', ...first);
    const listed = fake.listing('qazaqkoktemi').map((m) => m.timestamp);
    expect(listed).not.toEqual([...listed].sort().reverse());
    const config = await initialisedConfig(instagramSource(['qazaqkoktemi']));

    const [summary] = await collectOnce(config, { env });
    expect(summary!.error).toBeUndefined();
    expect(summary!.queries).toMatchObject([{ query: 'qazaqkoktemi', pages: 4, fetched: 180, sent: 180, rejected: 0, complete: true }]);
    const requests = fake.mediaRequests('qazaqkoktemi');
    expect(requests[0]!.has('after')).toBe(false);
    expect(new Set(requests.slice(1).map((p) => p.get('after'))).size).toBe(1);
    let counts = keyCounts(await rawEnvelopes(config));
    expect(counts.size).toBe(180);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);

    // 20 new media: 10 newer than any sent, 10 published before every one sent (tagged late, listed now).
    const newer = series('1792', 10, now - 10 * MINUTE, MINUTE, 'qazaqkoktemi');
    const older = series('1793', 10, now - 21 * 60 * MINUTE, MINUTE, 'qazaqkoktemi');
    fake.add('qazaqkoktemi', ...newer, ...older);
    const fresh = [...newer, ...older].map((m) => m.id);
    expect(pagesOf('qazaqkoktemi', fresh).size).toBeGreaterThan(2);

    const [second] = await collectOnce(config, { env });
    expect(second!.queries).toMatchObject([{ query: 'qazaqkoktemi', pages: 4, fetched: 200, sent: 20, rejected: 0, complete: true }]);
    counts = keyCounts(await rawEnvelopes(config));
    expect(counts.size).toBe(200);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(fresh.every((id) => counts.get(`instagram:${id}`) === 1)).toBe(true);

    // Nothing new: the listing is read, nothing is sent.
    const [third] = await collectOnce(config, { env });
    expect(third!.queries).toMatchObject([{ pages: 4, fetched: 200, sent: 0, complete: true }]);
    expect(keyCounts(await rawEnvelopes(config)).size).toBe(200);
  });

  it('ends a run on a page that lists nothing new, and a run cut short is finished by the next without sending anything twice', async () => {
    fake = await FakeInstagram.start(token, userId);
    fake.add('seruen', ...series('1794', 120, Date.now() - 10 * 60 * MINUTE, 5 * MINUTE, 'seruen'));
    const config = await initialisedConfig(instagramSource(['seruen']));

    // A server stuck on the first page (with paging.next every time) ends the run at the second page.
    const firstPage = (r: import('../fakes/http.js').FakeRequest) => {
      const url = new URL(r.url);
      url.searchParams.delete('after');
      return fake.respond({ ...r, url });
    };
    fake.server.intercept((r) => r.url.pathname.endsWith('/recent_media') && r.url.searchParams.has('after'), firstPage, 1000);
    const stuck = await collectLogged(config);
    expect(stuck.summary.queries).toMatchObject([{ pages: 2, fetched: 100, sent: 50, complete: true }]);
    expect(stuck.warnings).toContain('Instagram served a page of media this run had already listed; the run ends here');
    fake.server.clearInterceptions();

    // The third page fails: two pages are committed, and the run ends unfinished.
    let paged = 0;
    fake.server.intercept((r) => r.url.pathname.endsWith('/recent_media') && r.url.searchParams.has('after') && ++paged === 2, () => graphError(400, 100, 'Invalid parameter', { type: 'GraphMethodException' }));
    const [cut] = await collectOnce(config, { env });
    expect(cut!.queries).toMatchObject([{ pages: 2, fetched: 100, sent: 50, complete: false, error: expect.stringMatching(/Invalid parameter/) }]);
    expect(((await storedCursors(config)).get('instagram:seruen')!.position as { run?: unknown }).run).toMatchObject({ pages: 2 });

    // The next run starts again at the first page (an unfinished run is not resumed) and sends the last 20.
    const before = fake.mediaRequests('seruen').length;
    const [next] = await collectOnce(config, { env });
    expect(next!.queries).toMatchObject([{ pages: 3, fetched: 120, sent: 20, complete: true }]);
    expect(fake.mediaRequests('seruen')[before]!.has('after')).toBe(false);
    const counts = keyCounts(await rawEnvelopes(config));
    expect(counts.size).toBe(120);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('reads at most maxPages pages a run, warns when the listing goes on, and starts the next run at the first page', async () => {
    fake = await FakeInstagram.start(token, userId);
    fake.add('metoo', ...series('1795', 180, Date.now() - 20 * 60 * MINUTE, 6 * MINUTE, 'metoo'));
    const config = await initialisedConfig(instagramSource(['metoo'], { maxPages: 2 }));

    const capped = await collectLogged(config);
    expect(capped.summary.queries).toMatchObject([{ pages: 2, fetched: 100, sent: 100, complete: false }]);
    expect(capped.warnings).toContain('Instagram listing longer than maxPages: the run ends before its end (raise maxPages to read deeper, one call a page)');

    const [again] = await collectOnce(config, { env });
    expect(again!.queries).toMatchObject([{ pages: 2, fetched: 100, sent: 0, complete: false }]);
    expect(fake.mediaRequests('metoo').map((p) => p.has('after'))).toEqual([false, true, false, true]);
    const counts = keyCounts(await rawEnvelopes(config));
    expect(counts.size).toBe(100);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('refuses a 31st hashtag of the week itself, ends the run on a rate limit, and stops on an expired token', async () => {
    fake = await FakeInstagram.start(token, userId);
    fake.add('metoo', media('1', Date.now() - MINUTE, '#metoo'));
    fake.add('seruen', media('2', Date.now() - MINUTE, '#seruen'));
    const config = await initialisedConfig(instagramSource(['metoo', 'seruen', 'qazaqkoktemi']));
    // 28 other hashtags were queried this week (by an earlier run of this account).
    const hashtags = Object.fromEntries(Array.from({ length: 28 }, (_, i) => [`other${i}`, { queriedAt: Date.now() - 86_400_000, id: String(i) }]));
    const writer = await openPageWriter(config, 'instagram');
    await writer.commit({ envelopes: [], rejected: [], cursors: [{ schema: 'tagpulse.cursor/1', source: 'instagram', query: '@state', position: { hashtags }, updatedAt: new Date().toISOString() }] });
    await writer.close();

    fake.server.intercept((r) => r.url.pathname.endsWith('/recent_media') && r.url.pathname.includes(hashtagId('seruen')), () => graphError(403, 4, 'Application request limit reached'));
    const [summary] = await collectOnce(config, { env });
    expect(summary!.error).toBeUndefined();
    expect(summary!.queries).toMatchObject([
      { query: 'metoo', sent: 1, complete: true },
      { query: 'seruen', complete: false, limitReached: expect.stringMatching(/rate limit .*\(#4\) Application request limit reached/) },
      { query: 'qazaqkoktemi', complete: false, limitReached: expect.stringMatching(/30 hashtags per 7 days are in use .*#qazaqkoktemi can be queried from/) },
    ]);
    expect(fake.hashtagSearches().map((p) => p.get('q'))).toEqual(['metoo', 'seruen']);

    const [expired] = await collectOnce(config, { env: { TAGPULSE_INSTAGRAM_TOKEN: 'expired' } });
    expect(expired!.error).toMatch(/Instagram refused the token in TAGPULSE_INSTAGRAM_TOKEN \(#190\/463\) Error validating access token/);
  });
});
