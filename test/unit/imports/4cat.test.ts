import { describe, expect, it } from 'vitest';
import { fixture, readFile, reasons } from './support.js';

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
