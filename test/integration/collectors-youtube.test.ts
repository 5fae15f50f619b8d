import { afterEach, describe, expect, it } from 'vitest';
import { initialisedConfig } from '../support/config.js';
import { TestClock } from '../fakes/clock.js';
import { collectOnce, deadLetters, keyCounts, rawEnvelopes, storedCursors } from '../fakes/collector-harness.js';
import { comment, FakeYoutube, quotaExceeded, video } from '../fakes/youtube.js';

const key = 'AIzaSyFakeKey';
const env = { TAGPULSE_YOUTUBE_API_KEY: key };
const MINUTE = 60_000;

let fake: FakeYoutube;
afterEach(async () => {
  await fake.close();
});

function youtubeSource(tags: string[], extra: Record<string, unknown> = {}) {
  return { sources: [{ type: 'youtube', name: 'youtube', baseUrl: fake.baseUrl, tags, ...extra }] };
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

describe('YouTube collector through the real Kafka', () => {
  it('spends the search.list budget deliberately, reads full videos, and collects comments linked to their video', async () => {
    fake = await FakeYoutube.start(key);
    const start = Math.floor(Date.now() / 1000) * 1000 - 3 * 86_400_000;
    const at = (i: number) => iso(start + i * 30 * MINUTE);
    for (let i = 0; i < 120; i++) fake.videos.push(video(`v${i}`, at(i), `Шеру ${i} #QazaqKoktemi`, 'Сипаттама'));
    // The tag only at the end of a long description: search's cut snippet does not show it, videos.list does.
    fake.videos[90] = video('v90', at(90), 'qazaqkoktemi туралы әңгіме', `${'ұзын сипаттама '.repeat(20)}#qazaqkoktemi`);
    fake.videos[110] = video('v110', at(110), 'qazaqkoktemi туралы, тегсіз', ''); // found by the word, not tagged: skipped
    fake.videos[100] = { ...video('v100', at(100), '#qazaqkoktemi', ''), statistics: { viewCount: 'көп', likeCount: '1', favoriteCount: '0' } };
    const newest = fake.videos[119]!;
    newest.statistics.commentCount = '160';
    for (let c = 0; c < 150; c++) {
      const top = comment(`Ug${c}`, 'v119', iso(Date.parse(newest.snippet.publishedAt) + (c + 1) * MINUTE), `Пікір ${c}`, `viewer${c % 7}`);
      fake.addThread('v119', top, c < 10 ? [comment(`Ug${c}.r1`, 'v119', iso(Date.parse(top.snippet.publishedAt) + 30_000), 'Жауап', 'troll', `Ug${c}`)] : []);
    }
    fake.videos[118]!.statistics.commentCount = '3'; // counted, but turned off since: commentsDisabled
    fake.commentsDisabled.add('v118');
    const config = await initialisedConfig(youtubeSource(['QazaqKoktemi'], { searchCallsPerDay: 2 }));

    const clock = new TestClock();
    const [first] = await collectOnce(config, { clock, env });
    expect(first!.error).toBeUndefined();
    expect(first!.queries).toMatchObject([
      { query: 'qazaqkoktemi', pages: 2, fetched: 100, sent: 98, rejected: 1, complete: false, limitReached: expect.stringMatching(/search\.list calls: today's budget of 2 .* is spent/) },
      { query: '@replies', sent: 160, complete: true },
    ]);
    expect(first!.queries[0]!.error).toBeUndefined();
    const searches = fake.requests('search');
    expect(searches).toHaveLength(2);
    expect(searches[0]!.get('q')).toBe('#qazaqkoktemi');
    expect([searches[0]!.get('type'), searches[0]!.get('order'), searches[0]!.has('publishedAfter')]).toEqual(['video', 'date', false]);
    expect(searches[1]!.get('pageToken')).toBe('CA50');
    expect(searches[1]!.get('publishedBefore')).toBe(iso(Date.parse(newest.snippet.publishedAt) + 1000));
    // The key travels in a header, never in a URL.
    expect(fake.server.requests.every((r) => !r.url.search.includes(key))).toBe(true);
    expect(fake.requests('commentThreads').map((p) => [p.get('videoId'), p.get('pageToken')])).toEqual([
      ['v118', null],
      ['v119', null],
      ['v119', 'CT100'],
    ]);

    const envelopes = await rawEnvelopes(config);
    expect(keyCounts(envelopes).size).toBe(258);
    expect(envelopes.find((e) => e.platformId === 'v90')).toMatchObject({ query: 'qazaqkoktemi', item: { url: 'https://www.youtube.com/watch?v=v90' } });
    expect(envelopes.some((e) => e.platformId === 'v110')).toBe(false);
    expect(envelopes.find((e) => e.platformId === 'v119')).toMatchObject({
      source: 'youtube',
      platform: 'youtube',
      item: { text: 'Шеру 119 #QazaqKoktemi\n\nСипаттама', author: { id: 'UCfeminita000000000000000' }, tags: ['QazaqKoktemi'], platformLang: 'kk', engagement: { likes: 85, replies: 160, views: 1200 } },
    });
    expect(envelopes.find((e) => e.platformId === 'Ug3')).toMatchObject({
      query: 'qazaqkoktemi',
      item: { text: 'Пікір 3', author: { id: 'UCviewer3', handle: 'viewer3' }, replyTo: { platformId: 'v119' }, threadId: 'v119', url: 'https://www.youtube.com/watch?v=v119&lc=Ug3' },
    });
    expect(envelopes.find((e) => e.platformId === 'Ug3.r1')!.item).toMatchObject({ replyTo: { platformId: 'Ug3' }, threadId: 'v119' });
    const letters = await deadLetters(config);
    expect(letters).toMatchObject([{ stage: 'collect:youtube', reason: 'schema', origin: { resource: 'videos' } }]);
    expect(letters[0]!.detail).toMatch(/viewCount/);
    const state = (await storedCursors(config)).get('youtube:@state')!.position as { threads: Record<string, unknown>; searches: { used: number } };
    expect(state.searches.used).toBe(2);
    expect(state.threads.v118).toBeUndefined();

    // The same day: no search.list call at all, and no comment page for a video whose count did not move.
    const [sameDay] = await collectOnce(config, { clock, env });
    expect(sameDay!.queries[0]).toMatchObject({ pages: 0, limitReached: expect.stringMatching(/budget/) });
    expect(fake.requests('search')).toHaveLength(2);
    expect(fake.requests('commentThreads')).toHaveLength(3);

    // The next Pacific day the budget is back, and the backfill continues where it stopped.
    await clock.sleep(86_400_000);
    const [nextDay] = await collectOnce(config, { clock, env });
    expect(nextDay!.queries[0]).toMatchObject({ sent: 20, complete: true });
    expect(fake.requests('search')[2]!.get('pageToken')).toBe('CA100');
    expect((await storedCursors(config)).get('youtube:qazaqkoktemi')!.position).toEqual({ highWater: newest.snippet.publishedAt });
    const counts = keyCounts(await rawEnvelopes(config));
    expect(counts.size).toBe(278);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('quotaExceeded ends the run and spends the day; a key YouTube refuses stops the source naming its variable', async () => {
    fake = await FakeYoutube.start(key);
    fake.videos.push(video('m1', iso(Date.now() - 60 * MINUTE), '#metoo', ''));
    const config = await initialisedConfig(youtubeSource(['metoo']));
    fake.server.intercept((r) => r.url.pathname.endsWith('/search'), () => quotaExceeded());
    const [exceeded] = await collectOnce(config, { env });
    expect(exceeded!.error).toBeUndefined();
    expect(exceeded!.queries[0]).toMatchObject({ query: 'metoo', complete: false, limitReached: expect.stringMatching(/search\.list answered quotaExceeded/) });
    const [again] = await collectOnce(config, { env });
    expect(again!.queries[0]).toMatchObject({ limitReached: expect.stringMatching(/budget of 100 .* is spent/) });
    expect(fake.requests('search')).toHaveLength(1);

    // A day later, with a key YouTube does not know.
    const clock = new TestClock();
    await clock.sleep(86_400_000);
    const [refused] = await collectOnce(config, { env: { TAGPULSE_YOUTUBE_API_KEY: 'wrong' }, clock });
    expect(refused!.error).toMatch(/YouTube refused the API key in TAGPULSE_YOUTUBE_API_KEY \(400 API_KEY_INVALID: API key not valid/);
  });

  it('reads the replies a thread leaves out with comments.list, paged and budgeted, each sent once and linked to its thread', async () => {
    fake = await FakeYoutube.start(key);
    const posted = Math.floor(Date.now() / 1000) * 1000 - 6 * 60 * MINUTE;
    const replyCounts = { UgA: 12, UgB: 3, UgC: 230 };
    fake.videos.push(video('w1', iso(posted), 'Серуен #seruen', '', 3 + 12 + 3 + 230));
    Object.entries(replyCounts).forEach(([id, count], t) => {
      const topAt = posted + (t + 1) * MINUTE;
      const replies = Array.from({ length: count }, (_, r) => comment(`${id}.r${r}`, 'w1', iso(topAt + (r + 1) * 10_000), `Жауап ${r}`, `replier${r % 4}`, id));
      fake.addThread('w1', comment(id, 'w1', iso(topAt), `Пікір ${id}`, 'viewer'), replies);
    });
    const config = await initialisedConfig(youtubeSource(['seruen']));

    const [run] = await collectOnce(config, { env });
    expect(run!.error).toBeUndefined();
    expect(run!.queries).toMatchObject([
      { query: 'seruen', sent: 1, complete: true },
      { query: '@replies', sent: 3 + 12 + 3 + 230, rejected: 0, complete: true },
    ]);
    // Only the threads that include fewer replies than they have are read again (newest thread first), 100 replies a call.
    const listed = fake.requests('comments');
    expect(listed.map((p) => [p.get('parentId'), p.get('pageToken')])).toEqual([
      ['UgC', null],
      ['UgC', 'CM100'],
      ['UgC', 'CM200'],
      ['UgA', null],
    ]);
    expect(listed.every((p) => p.get('part') === 'snippet' && p.get('maxResults') === '100' && p.get('textFormat') === 'plainText')).toBe(true);
    expect(fake.server.requests.every((r) => !r.url.search.includes(key))).toBe(true);

    const envelopes = await rawEnvelopes(config);
    const counts = keyCounts(envelopes);
    expect(counts.size).toBe(1 + 3 + 12 + 3 + 230);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const repliesTo = (id: string) => envelopes.filter((e) => e.item.replyTo?.platformId === id);
    expect(repliesTo('UgA').map((e) => e.platformId).sort()).toEqual(Array.from({ length: 12 }, (_, r) => `UgA.r${r}`).sort());
    expect(repliesTo('UgB')).toHaveLength(3);
    expect(repliesTo('UgC')).toHaveLength(230);
    // A reply comments.list gave is the same envelope as one the thread included.
    for (const r of [0, 11]) {
      expect(envelopes.find((e) => e.platformId === `UgA.r${r}`)).toMatchObject({
        source: 'youtube',
        query: 'seruen',
        item: {
          text: `Жауап ${r}`,
          author: { id: `UCreplier${r % 4}`, handle: `replier${r % 4}` },
          url: `https://www.youtube.com/watch?v=w1&lc=UgA.r${r}`,
          replyTo: { platformId: 'UgA' },
          threadId: 'w1',
          engagement: { likes: 2 },
        },
      });
    }

    // Quota: search.list from its own bucket; videos.list twice (the search's videos, the comment counts),
    // commentThreads.list once and comments.list four times, one unit each.
    const state = (await storedCursors(config)).get('youtube:@state')!.position as { searches: { used: number }; units: { used: number } };
    expect(state.searches.used).toBe(1);
    expect(state.units.used).toBe(2 + 1 + 4);
    expect(fake.unitsSpent).toBe(100 + 2 + 1 + 4);
  });

  it('quotaExceeded from comments.list ends the run without half a page; the next day every reply arrives once', async () => {
    fake = await FakeYoutube.start(key);
    const posted = Math.floor(Date.now() / 1000) * 1000 - 6 * 60 * MINUTE;
    fake.videos.push(video('w2', iso(posted), '#seruen', '', 151));
    const topAt = posted + MINUTE;
    fake.addThread(
      'w2',
      comment('UgD', 'w2', iso(topAt), 'Пікір', 'viewer'),
      Array.from({ length: 150 }, (_, r) => comment(`UgD.r${r}`, 'w2', iso(topAt + (r + 1) * 10_000), `Жауап ${r}`, 'replier', 'UgD')),
    );
    const config = await initialisedConfig(youtubeSource(['seruen']));
    fake.server.intercept((r) => r.url.pathname.endsWith('/comments') && r.url.searchParams.get('pageToken') === 'CM100', () => quotaExceeded());

    const clock = new TestClock();
    const [exceeded] = await collectOnce(config, { clock, env });
    expect(exceeded!.error).toBeUndefined();
    expect(exceeded!.queries[1]).toMatchObject({ query: '@replies', sent: 0, complete: false, limitReached: expect.stringMatching(/comments\.list answered quotaExceeded/) });
    expect((await rawEnvelopes(config)).map((e) => e.platformId)).toEqual(['w2']);

    await clock.sleep(86_400_000);
    const [nextDay] = await collectOnce(config, { clock, env });
    expect(nextDay!.queries[1]).toMatchObject({ query: '@replies', sent: 151, complete: true });
    expect(fake.requests('comments').map((p) => p.get('pageToken'))).toEqual([null, 'CM100', null, 'CM100']);
    const counts = keyCounts(await rawEnvelopes(config));
    const comments = [...counts].filter(([k]) => !k.endsWith(':w2'));
    expect(comments).toHaveLength(151);
    expect(comments.every(([, n]) => n === 1)).toBe(true);
  });
});
