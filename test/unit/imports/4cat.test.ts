import { describe, expect, it } from 'vitest';
import { fourCat } from '../../../ingest/imports/4cat.js';
import { fixture, readBytes, readFile, reasons } from './support.js';

const file = fixture('4cat.csv');

describe('4cat CSV', () => {
  it('reads rows with quoted multi-line bodies and rejects bad dates and broken rows alone', async () => {
    const { envelopes, rejected } = await readFile('4cat', file, { platform: 'x' });
    expect(envelopes.map((e) => [e.platform, e.platformId])).toEqual([
      ['x', '1766101234567890001'],
      ['x', '1766101234567890002'],
      ['x', '1766101234567890005'],
    ]);
    expect(reasons(rejected)).toEqual({ schema: 1, csv: 1 });
    expect(rejected.map((r) => r.origin.line)).toEqual([5, 6]);
    expect(rejected[0]!.detail).toMatch(/unix_timestamp/);
    expect(rejected[1]).toMatchObject({ rawEncoding: 'utf8', raw: '1766101234567890004,1766101234567890004,2024-03-08 05:00:00,1709874000,too,few,columns' });
  });

  it('maps 4CAT columns onto the raw item', async () => {
    const { envelopes } = await readFile('4cat', file, { platform: 'x' });
    expect(envelopes[0]!.item).toEqual({
      text: 'Бүгін Алматыда серуен өтеді, барыңыз! "Үнсіздік" бітті.\n#qazaqkoktemi #ҚазақКөктемі 🌷✊',
      createdAt: '2024-03-08T04:15:00.000Z',
      author: { id: '1500000001', handle: 'aliya_qasym' },
      tags: ['qazaqkoktemi', 'ҚазақКөктемі'],
      url: 'https://x.com/aliya_qasym/status/1766101234567890001',
      platformLang: 'kk',
      threadId: '1766101234567890001',
      engagement: { likes: 120, shares: 14, replies: 3, views: 4821 },
    });
    expect(envelopes[1]!.item.tags).toEqual(['seruen']);
    // No unix_timestamp: the "YYYY-MM-DD HH:MM:SS" timestamp is read as UTC.
    expect(envelopes[2]!.item.createdAt).toBe('2024-03-08T06:00:00.000Z');
  });

  it('files rows under the generic platform unless --platform says otherwise', async () => {
    const { envelopes } = await readFile('4cat', file);
    expect(new Set(envelopes.map((e) => e.platform))).toEqual(new Set(['generic']));
  });
});

describe('4cat CSV: Instagram', () => {
  const instagram = fixture('4cat-instagram.csv');

  it('refuses a row whose dates are 0 (4CAT had none) like a row without a date, never as 1970', async () => {
    const { envelopes, rejected } = await readFile('4cat', instagram, { platform: 'instagram' });
    expect(envelopes.map((e) => e.platformId)).toEqual(['C4vXq2aLkQz', 'C5aBcDeFgHi']);
    expect(envelopes.every((e) => !e.item.createdAt.startsWith('1970'))).toBe(true);
    // Line 5: the first row's quoted caption spans lines 2-4.
    expect(rejected.map((r) => [r.reason, r.origin.line, r.detail])).toEqual([
      ['schema', 5, 'timestamp: a date is required: unix_timestamp or timestamp (0 means 4CAT had no date for the item)'],
    ]);
    expect(rejected[0]!.raw).toMatchObject({ id: 'C6aPoLaRiS1', timestamp: '0', unix_timestamp: '0' });
  });

  it('reads play_count as views, and leaves out the -1 4CAT writes for an unknown comment count', async () => {
    const { envelopes } = await readFile('4cat', instagram, { platform: 'instagram' });
    expect(envelopes[0]!.item).toMatchObject({
      createdAt: '2024-03-08T03:53:20.000Z',
      author: { handle: 'qazaq.koktemi' },
      tags: ['qazaqkoktemi', 'әйелүні'],
      url: 'https://www.instagram.com/p/C4vXq2aLkQz',
      engagement: { likes: 842, replies: 37, views: 15400 },
    });
    expect(envelopes[1]!.item.engagement).toEqual({ likes: 311 });
  });

  it('takes the other date when only one of them is 0', async () => {
    const csv = 'id,body,timestamp,unix_timestamp\nC6x,Көктем,2024-03-08 03:53:20,0\nC6y,Көктем,1970-01-01 00:00:00,1709870000\n';
    const { envelopes, rejected } = await readBytes(fourCat, Buffer.from(csv), { platform: 'instagram' });
    expect(rejected).toEqual([]);
    expect(envelopes.map((e) => e.item.createdAt)).toEqual(['2024-03-08T03:53:20.000Z', '2024-03-08T03:53:20.000Z']);
  });
});

describe('4cat CSV: Telegram', () => {
  const telegram = fixture('4cat-telegram.csv');

  it('reads the user id from author, the handle from author_username (else author_name), and reply_to within the chat', async () => {
    const { envelopes, rejected } = await readFile('4cat', telegram, { platform: 'telegram' });
    expect(rejected).toEqual([]);
    expect(envelopes.map((e) => [e.platformId, e.item.author, e.item.replyTo, e.item.threadId])).toEqual([
      ['qazaqkoktemi-1204', { id: '1712345678', handle: 'qazaqkoktemi' }, undefined, 'qazaqkoktemi'],
      ['qazaqkoktemi_chat-3310', { id: '5550001', handle: 'aliya_qasym' }, undefined, 'qazaqkoktemi_chat'],
      ['qazaqkoktemi_chat-3311', { id: '5550002', handle: 'Данияр Өмірзақов' }, { platformId: 'qazaqkoktemi_chat-3310' }, 'qazaqkoktemi_chat'],
    ]);
    // 4CAT's Telegram rows have no hashtags column: the normaliser finds them in the text.
    expect(envelopes[0]!.item).toMatchObject({ tags: [], engagement: { views: 5230 } });
    expect(envelopes[2]!.item.createdAt).toBe('2024-03-08T04:12:30.000Z');
  });

  it('keeps the other data sources\' reading of author when --platform is not telegram', async () => {
    const { envelopes } = await readFile('4cat', telegram);
    expect(envelopes[2]!.item.author).toEqual({ handle: '5550002' });
    expect(envelopes[2]!.item.replyTo).toBeUndefined();
  });
});
