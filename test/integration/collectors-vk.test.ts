import { afterEach, describe, expect, it } from 'vitest';
import { initialisedConfig } from '../support/config.js';
import { TestClock } from '../fakes/clock.js';
import { collectOnce, deadLetters, keyCounts, rawEnvelopes, storedCursors } from '../fakes/collector-harness.js';
import { FakeVk, vkError, vkPost } from '../fakes/vk.js';

const token = 'vk1.a.service-token';
const env = { TAGPULSE_VK_TOKEN: token };
const community = -100;

let fake: FakeVk;
afterEach(async () => {
  await fake.close();
});

function vkSource(tags: string[], extra: Record<string, unknown> = {}) {
  return { sources: [{ type: 'vk', name: 'vk', baseUrl: fake.baseUrl, tags, ...extra }] };
}

/** Posts 1…count of the community, ten minutes apart, the newest ten minutes ago; each carries `text(i)`. */
const LONG_COMMENT = `Қолдаймын! ${'Біз бірге болуымыз керек, әйелдердің дауысы естілуі тиіс. '.repeat(3)}#МенОяндым`;

function history(count: number, text: (i: number) => string) {
  const now = Math.floor(Date.now() / 1000);
  return Array.from({ length: count }, (_, k) => vkPost(community, k + 1, now - (count - k) * 600, text(k + 1)));
}

describe('VK collector through the real Kafka', () => {
  it('searches with start_time, follows next_from, waits out error 6, dead-letters a malformed post, and collects comments linked to their post', async () => {
    fake = await FakeVk.start(token);
    const posts = history(250, (i) => `Шеруге шығамыз ${i} #МенОяндым`);
    posts.push(vkPost(community, 300, posts[100]!.date, 'ұқсас тег #менояндымkz'));
    const malformed = { ...vkPost(community, 301, posts[50]!.date, 'иесі жол #менояндым'), owner_id: String(community) };
    fake.posts.push(...posts, malformed as never);
    const latest = posts[249]!;
    // Over VK's default 90-character cut, with the tag at the end: the whole text must arrive.
    fake.comment(community, 250, { id: 1001, from_id: 501, date: latest.date + 60, text: LONG_COMMENT, likes: { count: 3 } });
    fake.comment(community, 250, {
      id: 1002,
      from_id: 502,
      date: latest.date + 120,
      text: 'Саған не керек?',
      thread: { count: 1, can_post: true, items: [{ id: 1003, from_id: 501, date: latest.date + 180, text: 'Теңдік керек', post_id: 250, owner_id: community, parents_stack: [1002], reply_to_comment: 1002 }] },
    });
    fake.comment(community, 250, { id: 1004, from_id: 0, date: latest.date + 200, text: '', deleted: true });
    posts[248]!.comments.count = 4; // its comments are closed: error 212, and the thread is no longer followed
    fake.closed.add(`${community}_249`);
    const config = await initialisedConfig(vkSource(['МенОяндым']));
    let searches = 0;
    fake.server.intercept((r) => r.url.pathname === '/method/newsfeed.search' && ++searches === 2, (r) => vkError(6, 'Too many requests per second', r));
    const clock = new TestClock();
    const [summary] = await collectOnce(config, { clock, env });

    expect(summary!.error).toBeUndefined();
    expect(summary!.queries).toMatchObject([
      { query: 'менояндым', pages: 2, fetched: 252, sent: 250, rejected: 1, complete: true },
      { query: '@replies', sent: 3, complete: true },
    ]);
    // Error 6 was waited out (a second) and retried; calls are otherwise spaced at three a second.
    expect(clock.sleeps.filter((ms) => ms >= 1000)).toEqual([1000]);
    const calls = fake.calls('newsfeed.search');
    expect(calls.map((p) => p.get('q'))).toEqual(['#менояндым', '#менояндым', '#менояндым']);
    const startTime = Number(calls[0]!.get('start_time'));
    expect(Math.abs(startTime - (Date.now() / 1000 - 30 * 86_400))).toBeLessThan(600);
    expect(calls[0]!.has('end_time')).toBe(false);
    expect(calls[2]!.get('start_from')).toBe('o200');
    expect(calls[2]!.get('end_time')).toBe(String(latest.date + 1));
    expect(calls.every((p) => p.get('v') === '5.199')).toBe(true);
    // The token travels in the POST body, never in a URL.
    expect(fake.server.requests.every((r) => !r.url.search.includes(token))).toBe(true);

    const envelopes = await rawEnvelopes(config);
    expect(keyCounts(envelopes).size).toBe(253);
    expect(envelopes.find((e) => e.platformId === `${community}_250`)).toMatchObject({
      source: 'vk',
      platform: 'vk',
      query: 'менояндым',
      item: {
        text: 'Шеруге шығамыз 250 #МенОяндым',
        createdAt: new Date(latest.date * 1000).toISOString(),
        author: { id: String(community), handle: 'club100' },
        tags: ['МенОяндым'],
        url: `https://vk.com/wall${community}_250`,
        engagement: { likes: 7, shares: 2, replies: 4, views: 150 },
      },
    });
    expect(envelopes.some((e) => e.platformId === `${community}_300`)).toBe(false);
    const comments = envelopes.filter((e) => e.item.threadId === `${community}_250`);
    expect(comments.map((e) => [e.platformId, e.item.replyTo?.platformId, e.query, e.item.author.handle]).sort()).toEqual([
      [`${community}_250_1001`, `${community}_250`, 'менояндым', 'id501'],
      [`${community}_250_1002`, `${community}_250`, 'менояндым', 'id502'],
      [`${community}_250_1003`, `${community}_250_1002`, 'менояндым', 'id501'],
    ]);
    expect(comments.find((e) => e.platformId.endsWith('_1001'))!.item).toMatchObject({ text: LONG_COMMENT, engagement: { likes: 3 } });
    // wall.getById reads the counts of a hundred posts a call; comments are read only for posts that have any.
    expect(fake.calls('wall.getById').map((p) => p.get('posts')!.split(',').length)).toEqual([100, 100, 50]);
    expect(fake.calls('wall.getComments').map((p) => p.get('post_id')).sort()).toEqual(['249', '250']);

    const letters = await deadLetters(config);
    expect(letters).toMatchObject([{ stage: 'collect:vk', reason: 'schema', raw: JSON.parse(JSON.stringify(malformed)) }]);
    expect(letters[0]!.detail).toMatch(/owner_id/);

    const cursors = await storedCursors(config);
    expect(cursors.get('vk:менояндым')!.position).toEqual({ highWater: String(latest.date) });
    const threads = (cursors.get('vk:@state')!.position as { threads: Record<string, { since?: string }> }).threads;
    expect(threads[`${community}_250`]).toMatchObject({ since: '1004', tag: 'менояндым' });
    expect(threads[`${community}_249`]).toBeUndefined();

    // A new post and a new comment: the next run searches from the mark and reads only the thread that moved.
    fake.posts.push(vkPost(community, 251, latest.date + 300, 'Тағы да #менояндым'));
    fake.comment(community, 250, { id: 1005, from_id: 503, date: latest.date + 400, text: 'Жаңа пікір' });
    const [second] = await collectOnce(config, { env });
    expect(second!.queries).toMatchObject([
      { query: 'менояндым', sent: 2, complete: true },
      { query: '@replies', sent: 1, complete: true },
    ]);
    expect(fake.calls('newsfeed.search').at(-1)!.get('start_time')).toBe(String(latest.date));
    expect(fake.calls('wall.getComments')).toHaveLength(3);
    const counts = keyCounts(await rawEnvelopes(config));
    expect(counts.size).toBe(255);
    expect([...counts].filter(([, n]) => n > 1)).toEqual([[`vk:${community}_250`, 2]]);
  });

  it('stopped in the middle of a comment sweep, a fresh collector finishes it without losing or repeating a comment', async () => {
    fake = await FakeVk.start(token);
    const posts = history(3, (i) => `#seruen ${i}`);
    fake.posts.push(...posts);
    for (let c = 1; c <= 150; c++) fake.comment(community, 1, { id: 2000 + c, from_id: 600 + (c % 5), date: posts[0]!.date + c, text: `пікір ${c}` });
    for (let c = 1; c <= 5; c++) fake.comment(community, 3, { id: 3000 + c, from_id: 700, date: posts[2]!.date + c, text: `жауап ${c}` });
    const config = await initialisedConfig(vkSource(['seruen']));
    // Stopped (as by SIGTERM) while the second page of post 1's comments is on its way.
    const stop = new AbortController();
    let pages = 0;
    fake.server.intercept(
      (r) => r.url.pathname === '/method/wall.getComments' && ++pages === 2,
      (request) => {
        stop.abort(new Error('SIGTERM'));
        return fake.respond(request);
      },
    );
    const [stopped] = await collectOnce(config, { env, signal: stop.signal });
    expect(stopped!.queries.map((q) => [q.query, q.sent, q.complete, q.error])).toEqual([
      ['seruen', 3, true, undefined],
      ['@replies', 100, false, undefined],
    ]);
    expect((await storedCursors(config)).get('vk:@replies')!.position).toMatchObject({
      pending: [{ thread: `${community}_1` }, { thread: `${community}_3` }],
      batch: { size: 1, run: { top: '2150', next: '100' } },
    });

    const [resumed] = await collectOnce(config, { env });
    expect(resumed!.queries[1]).toMatchObject({ query: '@replies', sent: 55, complete: true });
    const counts = keyCounts(await rawEnvelopes(config));
    expect(counts.size).toBe(3 + 150 + 5);
    expect([...counts].filter(([key, n]) => n > 1 && key.split('_').length === 3)).toEqual([]);
    const threads = ((await storedCursors(config)).get('vk:@state')!.position as { threads: Record<string, { since?: string; replies?: number }> }).threads;
    expect(threads[`${community}_1`]).toMatchObject({ since: '2150', replies: 150 });
    expect(threads[`${community}_3`]).toMatchObject({ since: '3005', replies: 5 });
  });

  it('flood control and a daily limit end the run without failing it; a refused token stops the source naming its variable', async () => {
    fake = await FakeVk.start(token);
    fake.posts.push(...history(30, (i) => `#seruen ${i}`));
    const config = await initialisedConfig(vkSource(['seruen', 'metoo']));
    fake.server.intercept((r) => new URLSearchParams(r.body).get('q') === '#seruen', (r) => vkError(9, 'Flood control', r));
    fake.server.intercept((r) => new URLSearchParams(r.body).get('q') === '#metoo', (r) => vkError(29, 'Rate limit reached', r));
    const [limited] = await collectOnce(config, { env });
    expect(limited!.error).toBeUndefined();
    expect(limited!.queries).toMatchObject([
      { query: 'seruen', complete: false, limitReached: expect.stringMatching(/flood control \(error 9/) },
      { query: 'metoo', complete: false, limitReached: expect.stringMatching(/daily limit for newsfeed\.search.*error 29/) },
      { query: '@replies', complete: true },
    ]);
    expect(limited!.queries.every((q) => q.error === undefined)).toBe(true);

    const [resumed] = await collectOnce(config, { env });
    expect(resumed!.queries[0]).toMatchObject({ query: 'seruen', sent: 30, complete: true });
    expect(keyCounts(await rawEnvelopes(config)).size).toBe(30);

    const [refused] = await collectOnce(config, { env: { TAGPULSE_VK_TOKEN: 'expired' } });
    expect(refused!.error).toMatch(/VK refused the token in TAGPULSE_VK_TOKEN \(error 5/);
    expect(refused!.queries).toEqual([]);
  });
});
