import { afterEach, describe, expect, it } from 'vitest';
import { openPageWriter } from '../../ingest/framework/kafka.js';
import { initialisedConfig } from '../support/config.js';
import { collectOnce, deadLetters, keyCounts, rawEnvelopes, storedCursors } from '../fakes/collector-harness.js';
import { FakeInstagram, graphError, hashtagId, media } from '../fakes/instagram.js';

const token = 'EAAGlongLivedToken';
const userId = '17841405822304914';
const env = { TAGPULSE_INSTAGRAM_TOKEN: token };
const MINUTE = 60_000;

let fake: FakeInstagram;
afterEach(async () => {
  await fake.close();
});

function instagramSource(tags: string[]) {
  return { sources: [{ type: 'instagram', name: 'instagram', baseUrl: fake.baseUrl, userId, tags, schedule: '*/30 * * * *' }] };
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
    const cursors = await storedCursors(config);
    expect(cursors.get('instagram:seruen')!.position).toEqual({ highWater: new Date(start + 1190 * MINUTE).toISOString() });
    expect(cursors.get('instagram:@state')!.position).toMatchObject({ hashtags: { seruen: { id: hashtagId('seruen') } } });

    // An hour later: the hashtag id is kept (no second ig_hashtag_search), and paging stops at the mark.
    fake.add('seruen', media('17999999', Date.now() - MINUTE, 'Жаңа #seruen'));
    const [second] = await collectOnce(config, { env });
    expect(second!.queries[0]).toMatchObject({ pages: 1, sent: 1, complete: true });
    expect(fake.hashtagSearches()).toHaveLength(1);
    const counts = keyCounts(await rawEnvelopes(config));
    expect(counts.size).toBe(121);
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
