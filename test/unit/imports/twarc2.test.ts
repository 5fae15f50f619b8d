import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture, readFile, reasons } from './support.js';

const pages = fixture('twarc2-search.jsonl');
const flat = fixture('twarc2-flat.jsonl');

describe('twarc2: API response pages', () => {
  it('expands each page into its tweets, skips empty pages, rejects bad tweets and lines alone', async () => {
    const { envelopes, rejected, skipped } = await readFile('twarc2', pages);
    expect(envelopes.map((e) => e.platformId)).toEqual(['1766200000000000001', '1766200000000000002', '1766200000000000004']);
    expect(skipped).toEqual({ 'empty-page': 1 });
    expect(reasons(rejected)).toEqual({ schema: 1, json: 1 });
    expect(rejected.find((r) => r.reason === 'schema')!.origin).toEqual({ file: pages, line: 1, index: 2 });
    expect(rejected.find((r) => r.reason === 'json')!.origin).toEqual({ file: pages, line: 3 });
  });

  it('takes the author from includes.users, and the collection time from __twarc.retrieved_at', async () => {
    const { envelopes } = await readFile('twarc2', pages);
    const page = JSON.parse(readFileSync(pages, 'utf8').split('\n')[0]!);
    expect(envelopes[1]).toEqual({
      schema: 'tagpulse.raw/1',
      source: 'import:twarc2',
      platform: 'x',
      platformId: '1766200000000000002',
      collectedAt: '2024-03-10T12:00:00.000Z',
      item: {
        text: '@aliya_qasym Иә, біз де барамыз ✊ #qazaqkoktemi #seruen',
        createdAt: '2024-03-08T04:20:31.000Z',
        author: { id: '1500000002', handle: 'daniyar_omir' },
        tags: ['qazaqkoktemi', 'seruen'],
        url: 'https://x.com/daniyar_omir/status/1766200000000000002',
        platformLang: 'kk',
        replyTo: { platformId: '1766200000000000001' },
        threadId: '1766200000000000001',
        engagement: { likes: 98, shares: 12, replies: 2, views: 3010 },
      },
      payload: page.data[1],
    });
  });

  it('keeps the author id, without a handle or link, when includes lack the user', async () => {
    const { envelopes } = await readFile('twarc2', pages);
    expect(envelopes[2]!.item).toMatchObject({ author: { id: '1500000099' }, platformLang: 'ru' });
    expect(envelopes[2]!.item.url).toBeUndefined();
    expect(envelopes[2]!.collectedAt).toBe('2024-03-10T12:00:05.000Z');
  });
});

describe('twarc2: flattened tweets', () => {
  it('reads embedded authors and note_tweet text, and rejects a tweet without text', async () => {
    const { envelopes, rejected } = await readFile('twarc2', flat);
    expect(envelopes).toHaveLength(2);
    const long = JSON.parse(readFileSync(flat, 'utf8').split('\n')[0]!);
    expect(envelopes[0]!.item).toMatchObject({
      text: long.note_tweet.text,
      tags: ['отправдынеубежишь', 'MeToo'],
      author: { id: '1500000001', handle: 'aliya_qasym' },
    });
    expect(envelopes[0]!.collectedAt).toBe('2024-03-10T13:00:00.000Z');
    // `author: {}` is how flatten marks a user missing from the page's includes.
    expect(envelopes[1]!.item.author).toEqual({ id: '1500000003' });
    expect(rejected.map((r) => [r.reason, r.origin.line, r.detail])).toEqual([['schema', 3, expect.stringMatching(/^text: /)]]);
  });
});

describe('twarc2: retweets take the original\'s text and tags', () => {
  const retweetsFlat = fixture('twarc2-retweets-flat.jsonl');
  const retweetsPage = fixture('twarc2-retweets-search.jsonl');
  const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((text) => JSON.parse(text));

  it('flattened: from the referenced_tweets entry flatten merged the original into, keeping the retweet\'s id, author and time', async () => {
    const { envelopes, rejected } = await readFile('twarc2', retweetsFlat);
    expect(rejected).toEqual([]);
    const [line] = lines(retweetsFlat);
    const original = line.referenced_tweets[0];
    expect(line.text).toMatch(/^RT @ulzhan_s: .*…$/);
    expect(envelopes[0]!.platformId).toBe('1766400000000000011');
    expect(envelopes[0]!.item).toMatchObject({
      text: `RT @ulzhan_s: ${original.note_tweet.text}`,
      tags: ['отправдынеубежишь', 'seruen', 'MeToo'],
      createdAt: '2024-03-10T07:30:00.000Z',
      author: { id: '1500000001', handle: 'aliya_qasym' },
      url: 'https://x.com/aliya_qasym/status/1766400000000000011',
    });
  });

  it('flattened: keeps the retweet\'s own text and tags when the file does not hold the original', async () => {
    const { envelopes } = await readFile('twarc2', retweetsFlat);
    const [, line] = lines(retweetsFlat);
    expect(line.referenced_tweets).toEqual([{ type: 'retweeted', id: '1766400000000000002' }]);
    expect(envelopes[1]!.item).toMatchObject({ text: line.text, tags: ['янебоюсьсказать', 'Me'], author: { id: '1500000002', handle: 'daniyar_omir' } });
  });

  it('pages: from includes.tweets by id, the original\'s author from includes.users or else the "RT @user:" prefix', async () => {
    const { envelopes } = await readFile('twarc2', retweetsPage);
    const [page] = lines(retweetsPage);
    const [long, short] = page.includes.tweets;
    expect(envelopes.map((e) => [e.platformId, e.item.author, e.item.createdAt])).toEqual([
      ['1766400000000000011', { id: '1500000001', handle: 'aliya_qasym' }, '2024-03-10T07:30:00.000Z'],
      ['1766400000000000013', { id: '1500000002', handle: 'daniyar_omir' }, '2024-03-10T08:00:00.000Z'],
    ]);
    expect(envelopes[0]!.item).toMatchObject({ text: `RT @ulzhan_s: ${long.note_tweet.text}`, tags: ['отправдынеубежишь', 'seruen', 'MeToo'] });
    // The original's author (1500000099) is not in includes.users: the handle comes from the retweet's own text.
    expect(envelopes[1]!.item).toMatchObject({ text: `RT @aigerim_nurlan: ${short.text}`, tags: ['qazaqkoktemi', 'ҚазақКөктемі', 'әйелүні'] });
    expect(page.data[1].text).toMatch(/#Қа…$/);
  });
});
