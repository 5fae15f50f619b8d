import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runImport } from '../../../ingest/imports/run.js';
import { zeeschuimer } from '../../../ingest/imports/zeeschuimer.js';
import { collectingSink, fixture, readBytes, readFile, reasons } from './support.js';

const wrapped = fixture('zeeschuimer.ndjson');
const bare = fixture('zeeschuimer-4cat.ndjson');
const line = (file: string, n: number) => JSON.parse(readFileSync(file, 'utf8').split('\n')[n - 1]!);

describe('zeeschuimer: the extension\'s own wrapper layout', () => {
  it('reads X, Instagram and TikTok items, skips other platforms and ads, rejects bad lines', async () => {
    const { envelopes, rejected, skipped } = await readFile('zeeschuimer', wrapped);
    expect(envelopes.map((e) => `${e.platform}:${e.platformId}`)).toEqual([
      'x:1766101234567890001',
      'x:1766101234567890002',
      'x:1766101234567890004',
      'instagram:C4vXq2aLkQz',
      'tiktok:7343000000000000001',
      'x:1766101234567890008',
    ]);
    expect(skipped).toEqual({ 'unsupported-platform': 1, advertisement: 1 });
    expect(reasons(rejected)).toEqual({ json: 1, schema: 1 });
    expect(rejected.map((r) => r.origin.line)).toEqual([8, 9]);
    expect(rejected[1]!.detail).toMatch(/^legacy\.created_at: /);
  });

  it('maps a GraphQL tweet, with the collection time Zeeschuimer recorded', async () => {
    const { envelopes } = await readFile('zeeschuimer', wrapped);
    expect(envelopes[0]).toEqual({
      schema: 'tagpulse.raw/1',
      source: 'import:zeeschuimer',
      platform: 'x',
      platformId: '1766101234567890001',
      collectedAt: '2024-03-08T06:10:00.123Z',
      item: {
        text: 'Бүгін Алматыда серуен өтеді! #qazaqkoktemi #ҚазақКөктемі 🌷✊',
        createdAt: '2024-03-08T04:15:00.000Z',
        author: { id: '1500000001', handle: 'aliya_qasym' },
        tags: ['qazaqkoktemi', 'ҚазақКөктемі'],
        url: 'https://x.com/aliya_qasym/status/1766101234567890001',
        platformLang: 'kk',
        replyTo: { platformId: '1766101234567890000' },
        threadId: '1766101234567890000',
        engagement: { likes: 120, shares: 14, replies: 3, views: 4821 },
      },
      payload: line(wrapped, 1),
    });
  });

  it('takes long tweets from note_tweet, the old screen_name place, and retweets from the original', async () => {
    const { envelopes } = await readFile('zeeschuimer', wrapped);
    const [, long, retweet] = envelopes;
    expect(long!.item.text).toBe(line(wrapped, 2).data.note_tweet.note_tweet_results.result.text);
    expect(long!.item.tags).toEqual(['менояндым', 'MeToo']);
    expect(long!.item.author.handle).toBe('daniyar_omir');
    expect(retweet!.item.text).toBe('RT @ulzhan_s: Шындықтан қашып құтыла алмайсың. Біз бірге күштіміз! #отправдынеубежишь #seruen 🇰🇿');
    expect(retweet!.item.tags).toEqual(['отправдынеубежишь', 'seruen']);
    expect(envelopes[5]!.item.author.handle).toBe('maria_iv');
  });

  it('maps Instagram media and TikTok videos', async () => {
    const { envelopes } = await readFile('zeeschuimer', wrapped);
    const instagram = envelopes.find((e) => e.platform === 'instagram')!;
    expect(instagram.item).toMatchObject({
      text: 'Көктем келді 🌷\n\n#qazaqkoktemi #әйелүні',
      createdAt: new Date(1709870000 * 1000).toISOString(),
      author: { id: '7000000001', handle: 'qazaq.koktemi' },
      tags: [],
      url: 'https://www.instagram.com/p/C4vXq2aLkQz/',
      engagement: { likes: 842, replies: 37 },
    });
    const tiktok = envelopes.find((e) => e.platform === 'tiktok')!;
    expect(tiktok.item).toMatchObject({
      text: 'Серуенге шақырамыз! #seruen #qazaqkoktemi 💜',
      author: { id: '6800000001', handle: 'aruzhan_b' },
      tags: ['seruen', 'qazaqkoktemi'],
      url: 'https://www.tiktok.com/@aruzhan_b/video/7343000000000000001',
      engagement: { likes: 5120, shares: 88, replies: 240, views: 61000 },
    });
  });
});

describe('zeeschuimer: the bare layout (as 4CAT stores and gives back uploads)', () => {
  it('uses __import_meta when there is one, and the item\'s shape when not', async () => {
    const { envelopes, rejected } = await readFile('zeeschuimer', bare);
    expect(envelopes.map((e) => [e.platform, e.platformId, e.collectedAt])).toEqual([
      ['x', '1766101234567890011', '2024-03-09T16:00:00.000Z'],
      ['instagram', 'C5aBcDeFgHi', statSync(bare).mtime.toISOString()],
      ['tiktok', '7343000000000000002', '2024-03-09T16:08:20.000Z'],
    ]);
    expect(envelopes[1]!.item).toMatchObject({ text: 'Қыздарымыздың болашағы үшін #qazaqkoktemi 🕊️', author: { id: '7000000002', handle: 'aigerim.photo' } });
    expect(envelopes[2]!.item).toMatchObject({ author: { handle: 'zhanna.k' }, tags: ['metoo', 'MeToo'], createdAt: '2024-03-09T14:36:40.000Z' });
    expect(rejected.map((r) => [r.reason, r.origin.line])).toEqual([
      ['format', 4],
      ['format', 5],
    ]);
  });

  it('rejects a line that is not valid UTF-8 with the bytes kept as base64', async () => {
    const bytes = Buffer.concat([readFileSync(bare).subarray(0, 40), Buffer.from([0xff]), Buffer.from('\n')]);
    const { rejected } = await readBytes(zeeschuimer, bytes);
    expect(rejected[0]).toMatchObject({ reason: 'encoding', rawEncoding: 'base64', origin: { line: 1 } });
  });
});

describe('zeeschuimer: partial Instagram items (_zs_partial, XIGPolaris*Media)', () => {
  const partial = fixture('zeeschuimer-instagram-partial.ndjson');

  it('refuses those without taken_at as partial-item, wrapped or bare, with or without __import_meta', async () => {
    const { envelopes, rejected } = await readFile('zeeschuimer', partial);
    expect(rejected.map((r) => [r.reason, r.origin.line])).toEqual([
      ['partial-item', 1],
      ['partial-item', 2],
      ['partial-item', 4],
      ['partial-item', 5],
    ]);
    expect(rejected[0]!.detail).toBe(
      'Zeeschuimer captured a partial Instagram item (C6aPoLaRiS1), a grid item of type XIGPolarisVideoMedia, without a publication time (taken_at), ' +
        'so it cannot be dated and is not imported; open https://www.instagram.com/p/C6aPoLaRiS1/ with Zeeschuimer running to capture the whole post, then import again',
    );
    expect(rejected[1]!.detail).toMatch(/^Zeeschuimer captured a partial Instagram item \(C6bPaRtIaL2\), marked _zs_partial, without /);
    expect(rejected[0]!.raw).toEqual(line(partial, 1));
    expect(envelopes).toHaveLength(2);
  });

  it('imports those that do have taken_at, without a caption and with play_count as views', async () => {
    const { envelopes } = await readFile('zeeschuimer', partial);
    expect(envelopes.map((e) => [e.platform, e.platformId, e.collectedAt])).toEqual([
      ['instagram', 'C6cDaTeD003', '2024-03-10T19:48:40.000Z'],
      ['instagram', 'C6ePoLaRiS5', statSync(partial).mtime.toISOString()],
    ]);
    expect(envelopes[0]!.item).toMatchObject({
      text: '',
      createdAt: new Date(1710050000 * 1000).toISOString(),
      author: { id: '7000000002', handle: 'aigerim.photo' },
      url: 'https://www.instagram.com/p/C6cDaTeD003/',
      engagement: { likes: 120, replies: 4, views: 2600 },
    });
  });

  it('counts them under partial-item in the import summary', async () => {
    const sink = collectingSink();
    const summary = await runImport({ format: 'zeeschuimer', files: [partial], sink, now: () => new Date('2024-06-01T12:00:00.000Z') });
    expect(summary).toMatchObject({ read: 6, sent: 2, skipped: {}, rejected: { 'partial-item': 4 } });
    expect(sink.letters.map((letter) => letter.reason)).toEqual(['partial-item', 'partial-item', 'partial-item', 'partial-item']);
  });
});
