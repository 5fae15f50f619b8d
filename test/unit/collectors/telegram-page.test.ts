import { describe, expect, it } from 'vitest';
import { channelMessages, messageFields, parseViewCount } from '../../../ingest/sources/telegram/page.js';
import { TelegramMessage } from '../../../ingest/sources/telegram/schema.js';
import { channelPageHtml, hashtagLink, messageHtml } from '../../fakes/telegram.js';

describe('Telegram view counts', () => {
  it('reads the rounded counts the page shows as integers', () => {
    expect(parseViewCount('987')).toBe(987);
    expect(parseViewCount('1.2K')).toBe(1200);
    expect(parseViewCount('3.4M')).toBe(3_400_000);
    expect(parseViewCount('12K')).toBe(12_000);
    expect(parseViewCount('1,5K')).toBe(1500);
    expect(parseViewCount('many')).toBeUndefined();
  });
});

describe('Telegram channel page', () => {
  const reply = messageHtml('seruen_kz', 'Seruen', {
    id: 42,
    date: '2026-03-08T10:00:00+00:00',
    html: `Біз де шығамыз!<br/>Келіңіздер ${hashtagLink('Seruen')} ${hashtagLink('менояндым')}`,
    views: '1.2K',
    replyTo: { id: 40, html: `Ескі хабар ${hashtagLink('metoo')}` },
  });

  it("reads a reply's own text, tags, time and views, not those of the message it quotes", () => {
    expect(messageFields(reply)).toEqual({
      post: 'seruen_kz/42',
      datetime: '2026-03-08T10:00:00+00:00',
      text: 'Біз де шығамыз!\nКеліңіздер #Seruen #менояндым',
      views: '1.2K',
      ownerName: 'Seruen',
      hashtags: ['Seruen', 'менояндым'],
    });
  });

  it('finds every message of a page with its id', () => {
    const page = channelPageHtml('seruen_kz', 'Seruen', [{ id: 7, date: '2026-03-08T10:00:00+00:00', html: 'a' }, { id: 9, html: 'b' }], true);
    expect(channelMessages(page).map((m) => m.id)).toEqual([7, 9]);
  });

  it('refuses a message without its time', () => {
    const parsed = TelegramMessage.safeParse(messageHtml('seruen_kz', 'Seruen', { id: 9, html: 'no time' }));
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join('.'))).toEqual(['datetime']);
  });
});
