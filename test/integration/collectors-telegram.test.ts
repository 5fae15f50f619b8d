import { afterEach, describe, expect, it } from 'vitest';
import { initialisedConfig } from '../support/config.js';
import { TestClock } from '../fakes/clock.js';
import { collectOnce, deadLetters, keyCounts, rawEnvelopes, storedCursors } from '../fakes/collector-harness.js';
import { channelHistory, FakeTelegram, hashtagLink } from '../fakes/telegram.js';

let fake: FakeTelegram;
afterEach(async () => {
  await fake.close();
});

function telegramSource(channels: string[], tags: string[]) {
  return { sources: [{ type: 'telegram', name: 'telegram', channels, tags, baseUrl: fake.baseUrl }] };
}

describe('Telegram channel collector through the real Kafka', () => {
  it('pages a channel back to its first message, keeping its own text of tagged messages, and honours Retry-After', async () => {
    fake = await FakeTelegram.start();
    const tagged = (id: number) => id % 3 !== 0;
    const history = channelHistory(1, 55, 'seruen', tagged);
    history[49] = {
      id: 50,
      date: '2026-03-08T10:00:00+05:00',
      html: `Біз де шығамыз!<br/>Келіңіздер ${hashtagLink('Seruen')}`,
      views: '3.4M',
      replyTo: { id: 40, html: `Ескі хабар ${hashtagLink('metoo')}` },
    };
    delete history[30]!.date; // message 31 lost its <time>: a dead letter, and the rest goes on
    fake.add('seruen_kz', 'Seruen', ...history);
    const config = await initialisedConfig(telegramSource(['seruen_kz', '@preview_off'], ['seruen', 'metoo']));
    fake.server.intercept((r) => r.url.pathname === '/s/seruen_kz', () => ({ status: 429, headers: { 'Retry-After': '7' }, body: 'Too Many Requests' }));
    fake.server.intercept(
      (r) => r.url.pathname === '/s/preview_off',
      () => ({ status: 429, headers: { 'Retry-After': new Date(Date.now() + 20_000).toUTCString() }, body: 'Too Many Requests' }),
    );
    const clock = new TestClock();
    const [summary] = await collectOnce(config, { clock });

    expect(summary!.queries).toMatchObject([
      { query: 'seruen_kz', pages: 3, fetched: 55, rejected: 1, complete: true },
      { query: 'preview_off', pages: 1, fetched: 0, complete: true },
    ]);
    expect(fake.pageRequests('seruen_kz').map((url) => url.searchParams.get('before'))).toEqual([null, null, '36', '16']);
    // The advertised waits, observed on the injected clock: 7 s, then an HTTP-date 20 s away from when it was
    // sent (less the 7 s the clock had moved on, and the date's whole-second precision).
    expect(clock.sleeps[0]).toBe(7000);
    expect(clock.sleeps[1]).toBeGreaterThan(11_500);
    expect(clock.sleeps[1]).toBeLessThanOrEqual(13_000);

    const envelopes = await rawEnvelopes(config);
    const expectedIds = history.map((m) => m.id).filter((id) => tagged(id) && id !== 31);
    expect([...keyCounts(envelopes).keys()].sort()).toEqual(expectedIds.map((id) => `telegram:seruen_kz/${id}`).sort());
    expect(envelopes).toHaveLength(expectedIds.length);
    const reply = envelopes.find((e) => e.platformId === 'seruen_kz/50')!;
    expect(reply).toMatchObject({
      source: 'telegram',
      query: 'seruen',
      item: {
        text: 'Біз де шығамыз!\nКеліңіздер #Seruen',
        createdAt: '2026-03-08T10:00:00+05:00',
        author: { id: 'seruen_kz', handle: 'seruen_kz' },
        tags: ['Seruen'],
        url: 'https://t.me/seruen_kz/50',
        engagement: { views: 3_400_000 },
      },
    });
    expect(envelopes.find((e) => e.platformId === 'seruen_kz/49')!.item.engagement).toEqual({ views: 4900 });

    const [letter, ...more] = await deadLetters(config);
    expect(more).toEqual([]);
    expect(letter).toMatchObject({ stage: 'collect:telegram', reason: 'schema', rawEncoding: 'utf8' });
    expect(letter!.raw).toContain('data-post="seruen_kz/31"');
    expect(letter!.detail).toMatch(/datetime/);
  });

  it('stopped mid-run, a fresh collector resumes after the last committed page; a later run takes only new messages', async () => {
    fake = await FakeTelegram.start();
    fake.add('menoiandym', 'Мен ояндым', ...channelHistory(1, 100, 'menoiandym'));
    const config = await initialisedConfig(telegramSource(['menoiandym'], ['menoiandym']));
    // Stopped (as by SIGINT) while the third page is on its way.
    const stop = new AbortController();
    let served = 0;
    fake.server.intercept(
      () => ++served === 3,
      (request) => {
        stop.abort(new Error('SIGINT'));
        return fake.respond(request);
      },
    );
    const [stopped] = await collectOnce(config, { signal: stop.signal });
    expect(stopped!.queries[0]).toMatchObject({ pages: 2, sent: 40, complete: false });
    expect(stopped!.queries[0]!.error).toBeUndefined();
    expect((await storedCursors(config)).get('telegram:menoiandym')!.position).toEqual({ run: { top: '100', next: '61' } });

    const [resumed] = await collectOnce(config);
    expect(resumed!.queries[0]).toMatchObject({ sent: 60, complete: true });
    let counts = keyCounts(await rawEnvelopes(config));
    expect(counts.size).toBe(100);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);

    fake.add('menoiandym', 'Мен ояндым', ...channelHistory(101, 110, 'menoiandym'));
    const [later] = await collectOnce(config);
    expect(later!.queries[0]).toMatchObject({ pages: 1, sent: 10, complete: true });
    counts = keyCounts(await rawEnvelopes(config));
    expect(counts.size).toBe(110);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect((await storedCursors(config)).get('telegram:menoiandym')!.position).toEqual({ highWater: '110' });
  });
});
