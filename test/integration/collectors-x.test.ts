import { afterEach, describe, expect, it } from 'vitest';
import { initialisedConfig } from '../support/config.js';
import { TestClock } from '../fakes/clock.js';
import { collectOnce, deadLetters, keyCounts, rawEnvelopes, storedCursors } from '../fakes/collector-harness.js';
import { FakeX, tweet, xRateLimited, xUsageCapped } from '../fakes/x.js';

const token = 'AAAAAAAAAAAAAAAAAAAAAbearer';
const env = { TAGPULSE_X_BEARER_TOKEN: token };
const MINUTE = 60_000;

let fake: FakeX;
afterEach(async () => {
  await fake.close();
});

function xSource(tags: string[]) {
  return { sources: [{ type: 'x', name: 'x', baseUrl: fake.baseUrl, tags }] };
}

const isSearch = (r: { url: URL }) => r.url.pathname === '/2/tweets/search/recent';
const isConversationSearch = (r: { url: URL }) => isSearch(r) && (r.url.searchParams.get('query') ?? '').includes('conversation_id:');

describe('X recent-search collector through the real Kafka', () => {
  it('pages recent search with next_token, waits out both 429 shapes, dead-letters a malformed post, and collects the replies of tagged conversations', async () => {
    fake = await FakeX.start(token);
    const start = Date.now() - 2 * 86_400_000;
    const tagged = Array.from({ length: 230 }, (_, i) => tweet(start + i * 10 * MINUTE, String(1000 + (i % 3)), `Шеруге шық! #Seruen ${i}`));
    // Over 280 characters with its tags at the end: X's cut text and entities do not show them, note_tweet does.
    const long = `${'Ұзын мәтін, шеруге бәріміз шығамыз. '.repeat(9)}#Seruen #MeToo`;
    tagged[5] = tweet(start + 50 * MINUTE, '1001', long);
    fake.users.set('1000', 'aigerim_kz');
    const root = tagged[200]!;
    const at = Date.parse(root.created_at);
    const r1 = tweet(at + MINUTE, '2001', 'Сен кімсің? @aigerim_kz', { replyTo: root.id, conversation: root.id, lang: 'ru' });
    const r2 = tweet(at + 2 * MINUTE, '1000', 'Мен азаматпын', { replyTo: r1.id, conversation: root.id });
    const r3 = tweet(at + 3 * MINUTE, '2002', 'Қолдаймын', { replyTo: root.id, conversation: root.id });
    const malformed = { ...tweet(start + 5 * MINUTE, '1000', 'сан емес #seruen', { sequence: 7 }), author_id: 42 };
    fake.tweets.push(...tagged, r1, r2, r3, malformed as never);
    const config = await initialisedConfig(xSource(['seruen']));
    let searches = 0;
    fake.server.intercept((r) => isSearch(r) && ++searches === 2, () => xRateLimited(30, 'problem'));
    fake.server.intercept(isConversationSearch, () => xRateLimited(70, 'errors'));
    const clock = new TestClock();
    const [summary] = await collectOnce(config, { clock, env });

    expect(summary!.error).toBeUndefined();
    expect(summary!.queries).toMatchObject([
      { query: 'seruen', pages: 3, fetched: 231, sent: 230, rejected: 1, complete: true },
      { query: '@replies', sent: 3, rejected: 0, complete: true },
    ]);
    // Both waits last until x-rate-limit-reset (whole epoch seconds), whatever the body's shape; the second
    // reset is 70 s from when it was sent, and the clock had already moved on by the first wait.
    expect(clock.sleeps).toHaveLength(2);
    expect(clock.sleeps[0]).toBeGreaterThan(28_900);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(30_000);
    expect(clock.sleeps[1]).toBeGreaterThan(30_000);
    expect(clock.sleeps[0]! + clock.sleeps[1]!).toBeLessThanOrEqual(70_000);

    const requests = fake.searches();
    expect(requests[0]!.get('query')).toBe('#seruen -is:retweet');
    expect(requests[0]!.get('expansions')).toBe('author_id');
    expect(requests[0]!.get('tweet.fields')).toContain('conversation_id');
    expect(requests.slice(2, 4).map((p) => p.get('next_token'))).toEqual(['00000100', '00000200']);
    // Conversations are swept in batches that fit the 512-character query limit.
    const conversationQueries = requests.map((p) => p.get('query')!).filter((q) => q.includes('conversation_id:'));
    expect(conversationQueries.every((q) => q.length <= 512)).toBe(true);
    expect(new Set(conversationQueries.flatMap((q) => [...q.matchAll(/conversation_id:(\d+)/g)].map((m) => m[1]))).size).toBe(230);

    const envelopes = await rawEnvelopes(config);
    expect(keyCounts(envelopes).size).toBe(233);
    expect(envelopes).toHaveLength(233);
    expect(envelopes.find((e) => e.platformId === tagged[0]!.id)).toMatchObject({
      source: 'x',
      platform: 'x',
      query: 'seruen',
      item: {
        text: 'Шеруге шық! #Seruen 0',
        author: { id: '1000', handle: 'aigerim_kz' },
        tags: ['Seruen'],
        url: `https://x.com/aigerim_kz/status/${tagged[0]!.id}`,
        platformLang: 'kk',
        threadId: tagged[0]!.id,
        engagement: { likes: 12, shares: 5, replies: 1, views: 300 },
      },
    });
    expect(tagged[5]!.text).not.toContain('#Seruen');
    expect(envelopes.find((e) => e.platformId === tagged[5]!.id)!.item).toMatchObject({ text: long, tags: ['Seruen', 'MeToo'] });
    const replies = envelopes.filter((e) => e.item.threadId === root.id && e.platformId !== root.id);
    expect(replies.map((e) => [e.platformId, e.item.replyTo?.platformId, e.query]).sort()).toEqual(
      [
        [r1.id, root.id, 'seruen'],
        [r2.id, r1.id, 'seruen'],
        [r3.id, root.id, 'seruen'],
      ].sort(),
    );
    expect(replies.find((e) => e.platformId === r1.id)!.item).toMatchObject({ author: { handle: 'user2001' }, platformLang: 'ru' });

    const letters = await deadLetters(config);
    expect(letters).toMatchObject([{ stage: 'collect:x', reason: 'schema', raw: JSON.parse(JSON.stringify(malformed)) }]);
    expect(letters[0]!.detail).toMatch(/author_id/);
    const cursors = await storedCursors(config);
    expect(cursors.get('x:seruen')!.position).toEqual({ highWater: tagged[229]!.id });

    // The next run asks only for what is newer than the marks: one new tagged post, one new reply.
    const fresh = tweet(Date.now() - MINUTE, '1001', 'Тағы #seruen');
    const late = tweet(Date.now() - 2 * MINUTE, '2003', 'Кеш жауап', { replyTo: root.id, conversation: root.id });
    fake.tweets.push(fresh, late);
    const before = fake.searches().length;
    const [second] = await collectOnce(config, { env });
    expect(second!.queries).toMatchObject([
      { query: 'seruen', sent: 1, complete: true },
      { query: '@replies', sent: 1, complete: true },
    ]);
    expect(fake.searches()[before]!.get('since_id')).toBe(tagged[229]!.id);
    const counts = keyCounts(await rawEnvelopes(config));
    expect(counts.size).toBe(235);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('a usage cap ends the run without failing it; a mark older than seven days becomes start_time; a refused token stops the source', async () => {
    fake = await FakeX.start(token);
    fake.tweets.push(...Array.from({ length: 5 }, (_, i) => tweet(Date.now() - (10 - i) * MINUTE, '1000', `#metoo ${i}`)));
    const config = await initialisedConfig(xSource(['metoo']));
    fake.server.intercept(isSearch, () => xUsageCapped());
    const [capped] = await collectOnce(config, { env });
    expect(capped!.error).toBeUndefined();
    expect(capped!.queries[0]).toMatchObject({ query: 'metoo', complete: false, limitReached: expect.stringMatching(/usage cap.*Monthly product cap/) });
    expect(capped!.queries[0]!.error).toBeUndefined();
    expect(fake.searches()).toHaveLength(1);

    await collectOnce(config, { env });
    expect(keyCounts(await rawEnvelopes(config)).size).toBe(5);
    // Eight days later the stored mark is out of reach: the search starts at the window's start instead of failing.
    const clock = new TestClock();
    await clock.sleep(8 * 86_400_000);
    const before = fake.searches().length;
    const [late] = await collectOnce(config, { env, clock });
    expect(late!.queries[0]).toMatchObject({ complete: true });
    const request = fake.searches()[before]!;
    expect(request.has('since_id')).toBe(false);
    expect(Date.parse(request.get('start_time')!)).toBeGreaterThan(Date.now() + 86_400_000 - 5 * MINUTE);

    const [refused] = await collectOnce(config, { env: { TAGPULSE_X_BEARER_TOKEN: 'revoked' } });
    expect(refused!.error).toMatch(/X refused the bearer token in TAGPULSE_X_BEARER_TOKEN \(401: Unauthorized\)/);
  });
});
