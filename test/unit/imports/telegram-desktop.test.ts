import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { telegramDesktop } from '../../../ingest/imports/telegram-desktop.js';
import { fixture, readBytes, readFile, reasons, REJECTED_AT } from './support.js';

const chatFile = fixture('telegram-chat.json');
const accountFile = fixture('telegram-account.json');

describe('telegram-desktop: one chat', () => {
  it('yields messages, skips service and unsupported ones, and rejects bad messages alone', async () => {
    const { envelopes, rejected, skipped } = await readFile('telegram-desktop', chatFile);
    expect(envelopes.map((e) => e.platformId)).toEqual(['1712345678/2', '1712345678/3', '1712345678/5']);
    expect(skipped).toEqual({ 'service-message': 1, 'unsupported-message': 1 });
    expect(reasons(rejected)).toEqual({ schema: 2 });
  });

  it('builds the envelope from text parts, hashtag entities, date_unixtime and the sender', async () => {
    const raw = JSON.parse(readFileSync(chatFile, 'utf8')).messages[1];
    const { envelopes } = await readFile('telegram-desktop', chatFile);
    expect(envelopes[0]).toEqual({
      schema: 'tagpulse.raw/1',
      source: 'import:telegram-desktop',
      platform: 'telegram',
      platformId: '1712345678/2',
      collectedAt: statSync(chatFile).mtime.toISOString(),
      item: {
        text: 'Бүгін Алматыда бейбіт серуен өтеді! #qazaqkoktemi #ҚазақКөктемі 🌷✊',
        createdAt: '2024-03-08T04:15:00.000Z',
        author: { id: 'channel1712345678', handle: 'Qazaq Kóktemi 🌷' },
        tags: ['qazaqkoktemi', 'ҚазақКөктемі'],
      },
      payload: raw,
    });
  });

  it('keeps replies within the chat, and mixed entity arrays as plain text', async () => {
    const { envelopes } = await readFile('telegram-desktop', chatFile);
    expect(envelopes[1]!.item.replyTo).toEqual({ platformId: '1712345678/2' });
    expect(envelopes[1]!.item.text).toBe('Һәр әйелдің дауысы маңызды. Ұлы даланың қыздары үнсіз қалмайды 💜');
    expect(envelopes[2]!.item.text).toBe('Маңызды: Äielderdıñ dauysy mañyzdy #менояндым толығырақ');
    expect(envelopes[2]!.item.tags).toEqual(['менояндым']);
  });

  it('links to t.me only for a public chat whose username is given', async () => {
    const without = await readFile('telegram-desktop', chatFile);
    expect(without.envelopes.every((e) => e.item.url === undefined)).toBe(true);
    const withName = await readFile('telegram-desktop', chatFile, { telegramUsernames: new Map([['1712345678', 'qazaqkoktemi']]) });
    expect(withName.envelopes.map((e) => e.item.url)).toEqual([
      'https://t.me/qazaqkoktemi/2',
      'https://t.me/qazaqkoktemi/3',
      'https://t.me/qazaqkoktemi/5',
    ]);
  });

  it('says where a rejected message is and why', async () => {
    const { rejected } = await readFile('telegram-desktop', chatFile);
    expect(rejected[0]).toMatchObject({
      schema: 'tagpulse.deadletter/1',
      stage: 'import:telegram-desktop',
      reason: 'schema',
      at: REJECTED_AT,
      origin: { file: chatFile, chat: '1712345678', index: 3 },
      rawEncoding: 'json',
    });
    expect(rejected[0]!.detail).toMatch(/^date_unixtime: /);
    expect(rejected[1]!.detail).toMatch(/unix seconds/);
  });
});

describe('telegram-desktop: whole account', () => {
  it('reads chats and left chats, ignoring contacts and personal information', async () => {
    const { envelopes, rejected, skipped } = await readFile('telegram-desktop', accountFile);
    expect(envelopes.map((e) => e.platformId)).toEqual(['5550002/101', '5550002/102', '1798765432/8', '1733333333/4410']);
    expect(skipped).toEqual({ 'service-message': 1 });
    expect(rejected.map((r) => [r.reason, r.origin])).toEqual([['schema', { file: accountFile, chat: '1733333333', index: 1 }]]);
  });

  it('handles a deleted sender, a reply into another chat, and capitalised hashtags', async () => {
    const { envelopes } = await readFile('telegram-desktop', accountFile, {
      telegramUsernames: new Map([
        ['1733333333', 'menoyandym_chat'],
        ['1798765432', 'not_public'],
      ]),
    });
    const [, deleted, crossChat, left] = envelopes;
    expect(deleted!.item.author).toEqual({ id: 'user5550099' });
    expect(deleted!.item.replyTo).toEqual({ platformId: '5550002/101' });
    expect(crossChat!.item.replyTo).toEqual({ platformId: '1712345678/55' });
    expect(crossChat!.item.url).toBeUndefined();
    expect(left!.item).toMatchObject({ tags: ['МенОяндым'], url: 'https://t.me/menoyandym_chat/4410', text: '#МенОяндым — біз бірге күштіміз 🇰🇿' });
  });
});

describe('telegram-desktop: damaged files', () => {
  const bytes = readFileSync(chatFile);

  it('reads the same however the stream is chunked', async () => {
    const whole = await readBytes(telegramDesktop, bytes, {}, bytes.length);
    for (const size of [1, 7, 100]) expect(await readBytes(telegramDesktop, bytes, {}, size)).toEqual(whole);
  });

  it('keeps what came before a truncation and reports the file as cut short', async () => {
    const cut = bytes.subarray(0, bytes.indexOf('"id": 5'));
    const { envelopes, rejected } = await readBytes(telegramDesktop, cut);
    expect(envelopes).toHaveLength(2);
    expect(rejected.at(-1)).toMatchObject({ reason: 'json', origin: { chat: '1712345678' } });
  });

  it('dead-letters only the message holding invalid UTF-8 (reason encoding) and imports every other one, however chunked', async () => {
    const whole = await readBytes(telegramDesktop, bytes);
    const at = bytes.indexOf('Ұлы');
    // Ұ is d2 b0: its lead byte followed by 0xff instead of its continuation, then a lone continuation byte.
    const broken = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xd2, 0xff, 0x80]), bytes.subarray(at + 2)]);
    for (const size of [1, 3, 64, broken.length]) {
      const { envelopes, rejected, skipped } = await readBytes(telegramDesktop, broken, {}, size);
      expect(envelopes.map((e) => e.platformId)).toEqual(['1712345678/2', '1712345678/5']);
      expect(envelopes).toEqual(whole.envelopes.filter((e) => e.platformId !== '1712345678/3'));
      expect(envelopes.every((e) => !e.item.text.includes('\uFFFD'))).toBe(true);
      expect(skipped).toEqual(whole.skipped);
      expect(reasons(rejected)).toEqual({ ...reasons(whole.rejected), encoding: 1 });
      const letter = rejected.find((r) => r.reason === 'encoding')!;
      expect(letter.origin).toMatchObject({ chat: '1712345678', index: 2 });
      expect(letter.detail).toContain(`bytes ${at}–${at + 2}`);
      expect(letter.detail).toContain('message 3');
    }
  });

  it('imports every message when invalid UTF-8 is outside any message, and says so in an encoding dead letter', async () => {
    const whole = await readBytes(telegramDesktop, bytes);
    const at = bytes.indexOf('Kóktemi');
    const broken = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xc3]), bytes.subarray(at + 1)]);
    const { envelopes, rejected } = await readBytes(telegramDesktop, broken, {}, 5);
    expect(envelopes).toEqual(whole.envelopes);
    expect(reasons(rejected)).toEqual({ ...reasons(whole.rejected), encoding: 1 });
    expect(rejected.find((r) => r.reason === 'encoding')!.detail).toMatch(/outside any message.*no message lost/);
  });

  it('keeps a U+FFFD the file itself holds (escaped or as UTF-8): only ill-formed bytes dead-letter a message', async () => {
    const file = Buffer.from(
      '{"name":"x","type":"public_channel","id":1,"messages":[' +
        '{"id":1,"type":"message","date_unixtime":"1709892000","text":"a \\ufffd b \uFFFD #seruen"}]}',
    );
    const { envelopes, rejected } = await readBytes(telegramDesktop, file, {}, 2);
    expect(rejected).toEqual([]);
    expect(envelopes.map((e) => e.item.text)).toEqual(['a \uFFFD b \uFFFD #seruen']);
  });

  it('rejects syntax errors and JSON that is not an export', async () => {
    const syntax = await readBytes(telegramDesktop, Buffer.from('{"name": "x", "messages": [}'));
    expect(reasons(syntax.rejected)).toEqual({ json: 1 });
    const other = await readBytes(telegramDesktop, Buffer.from('{"data": [1, 2, 3]}'));
    expect(other.rejected.map((r) => r.reason)).toEqual(['format']);
  });
});
