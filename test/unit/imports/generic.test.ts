import { describe, expect, it } from 'vitest';
import { fixture, readFile, reasons } from './support.js';

const jsonl = fixture('generic.jsonl');
const csv = fixture('generic.csv');

describe('generic-jsonl', () => {
  it('reads the documented fields and rejects what breaks them, one line at a time', async () => {
    const { envelopes, rejected } = await readFile('generic-jsonl', jsonl);
    expect(envelopes.map((e) => [e.platform, e.platformId])).toEqual([
      ['vk', 'vk-001'],
      ['generic', '1002'],
      ['youtube', 'yt-7'],
    ]);
    expect(reasons(rejected)).toEqual({ schema: 3, json: 1 });
    expect(rejected.map((r) => [r.origin.line, r.reason, r.reason === 'schema' ? r.detail.split(':')[0] : r.raw])).toEqual([
      [3, 'schema', 'id'],
      [4, 'schema', 'created_at'],
      [5, 'schema', 'url'],
      [6, 'json', '{"id": "x-6", "text": "жартылай жазылған жол'],
    ]);
  });

  it('normalises dates to UTC, strips # from tags, and reads numbers as ids', async () => {
    const { envelopes } = await readFile('generic-jsonl', jsonl);
    expect(envelopes[0]!.item).toEqual({
      text: 'Көктем келді! #qazaqkoktemi 🌷',
      createdAt: '2024-03-08T05:15:00.000Z',
      author: { id: 'id12345', handle: 'aliya.qasym' },
      tags: ['qazaqkoktemi', 'seruen'],
      url: 'https://vk.com/wall-1_001',
      platformLang: 'kk',
    });
    expect(envelopes[1]!.item).toMatchObject({ createdAt: '2024-03-08T05:00:00.000Z', replyTo: { platformId: 'vk-001' } });
    expect(envelopes[2]!.item).toMatchObject({ text: 'Äielderdıñ dauysy mañyzdy 💜👩‍👧', createdAt: '2024-03-08T06:00:00.000Z' });
  });

  it('uses --platform for rows that name none', async () => {
    const { envelopes } = await readFile('generic-jsonl', jsonl, { platform: 'telegram' });
    expect(envelopes.map((e) => e.platform)).toEqual(['vk', 'telegram', 'youtube']);
  });
});

describe('generic-csv', () => {
  it('reads a spreadsheet export: BOM, CRLF, quoted line breaks, ;-separated tags, empty text', async () => {
    const { envelopes, rejected } = await readFile('generic-csv', csv);
    expect(envelopes.map((e) => e.platformId)).toEqual(['tg-1', 'g-2', 'g-4']);
    expect(envelopes[0]!.item).toEqual({
      text: 'Бүгін серуен, бәріңіз келіңіздер!\n#seruen #менояндым',
      createdAt: '2024-03-08T10:15:00.000Z',
      author: { id: 'user5550002', handle: 'aliya_qasym' },
      tags: ['seruen', 'менояндым'],
      url: 'https://t.me/qazaqkoktemi/2',
      platformLang: 'kk',
    });
    expect(envelopes[0]!.platform).toBe('telegram');
    expect(envelopes[1]!.item).toMatchObject({ tags: ['әйелүні'], replyTo: { platformId: 'tg-1' }, author: {} });
    expect(envelopes[2]!.item.text).toBe('');
    expect(rejected.map((r) => [r.reason, r.origin.line])).toEqual([['schema', 5]]);
    expect(envelopes[1]!.payload).toEqual({
      id: 'g-2', text: 'Һәр адамның дауысы маңызды 💜', created_at: '1709874000', platform: '', author_id: '', author_handle: '',
      tags: '#әйелүні', url: '', reply_to: 'tg-1', lang: '',
    });
  });
});
