import { FakeHttpServer, type FakeRequest, type FakeResponse } from './http.js';

export interface FakeChannelMessage {
  id: number;
  /** ISO time, as the page's `<time datetime>` shows it (with an offset). */
  date?: string;
  /** The message text as HTML (hashtags as `?q=%23tag` links: use `hashtagLink`). */
  html: string;
  /** As the page shows it: `987`, `1.2K`, `3.4M`. */
  views?: string;
  /** The message this one replies to, quoted above its text. */
  replyTo?: { id: number; html: string };
}

export const hashtagLink = (tag: string) => `<a href="?q=${encodeURIComponent(`#${tag}`)}">#${tag}</a>`;

/** One message as `t.me/s/<channel>` renders it. A message without `date` has no `<time>` (a malformed one). */
export function messageHtml(channel: string, title: string, message: FakeChannelMessage): string {
  const reply = message.replyTo
    ? `<a class="tgme_widget_message_reply" href="https://t.me/${channel}/${message.replyTo.id}">` +
      `<div class="tgme_widget_message_author accent_color"><span class="tgme_widget_message_author_name" dir="auto">${title}</span></div>` +
      `<div class="tgme_widget_message_text js-message_reply_text" dir="auto">${message.replyTo.html}</div></a>`
    : '';
  const time = message.date
    ? `<span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="https://t.me/${channel}/${message.id}"><time datetime="${message.date}" class="time">10:00</time></a></span>`
    : '';
  return `
<div class="tgme_widget_message_wrap js-widget_message_wrap">
  <div class="tgme_widget_message text_not_supported_wrap js-widget_message" data-post="${channel}/${message.id}" data-view="eyJjIjoxfQ">
    <div class="tgme_widget_message_user"><a href="https://t.me/${channel}"><i class="tgme_widget_message_user_photo bgcolor2" data-content="${title[0]}"></i></a></div>
    <div class="tgme_widget_message_bubble">
      <i class="tgme_widget_message_bubble_tail"><svg class="bubble_icon" width="9px" height="20px" viewBox="0 0 9 20"></svg></i>
      <div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name" href="https://t.me/${channel}"><span dir="auto">${title}</span></a></div>
      ${reply}
      <div class="tgme_widget_message_text js-message_text" dir="auto">${message.html}</div>
      <div class="tgme_widget_message_footer compact js-message_footer">
        <div class="tgme_widget_message_info short js-message_info">
          ${message.views === undefined ? '' : `<span class="tgme_widget_message_views">${message.views}</span><span class="copyonly"> views</span>`}${time}
        </div>
      </div>
    </div>
  </div>
</div>`;
}

/** A channel preview page: the messages given, oldest first, and the "load older" link when there are older ones. */
export function channelPageHtml(channel: string, title: string, messages: readonly FakeChannelMessage[], hasOlder: boolean): string {
  const older = hasOlder && messages.length > 0 ? messages[0]!.id : undefined;
  return `<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    <title>${title} – Telegram</title>
    <link rel="canonical" href="https://t.me/s/${channel}">
    ${older === undefined ? '' : `<link rel="prev" href="/s/${channel}?before=${older}">`}
  </head>
  <body class="widget_frame_base tgme_webpage_body">
    <main class="tgme_main">
      <section class="tgme_channel_history js-message_history">
        ${older === undefined ? '' : `<div class="tgme_widget_message_centered js-messages_more_wrap"><a href="/s/${channel}?before=${older}" class="tme_messages_more js-messages_more" data-before="${older}"></a></div>`}
        ${messages.map((m) => messageHtml(channel, title, m)).join('\n')}
      </section>
    </main>
  </body>
</html>`;
}

/** Messages `from`…`to` of a channel, each tagged with `tag` when `tagged(id)` says so, ids increasing with time. */
export function channelHistory(from: number, to: number, tag: string, tagged: (id: number) => boolean = () => true): FakeChannelMessage[] {
  return Array.from({ length: to - from + 1 }, (_, i) => {
    const id = from + i;
    return {
      id,
      date: new Date(Date.UTC(2026, 2, 8, 4, 0, id)).toISOString().replace('.000Z', '+00:00'),
      html: `Хабар ${id}<br>${tagged(id) ? hashtagLink(tag) : 'тегсіз'}`,
      views: id % 2 === 0 ? `${id}` : `${(id / 10).toFixed(1)}K`,
    };
  });
}

/**
 * Telegram's public channel previews, `/s/<channel>`: the newest 20 messages, `?before=<id>` for older ones,
 * as t.me renders them. A channel without messages (preview off, unknown name) renders a page without any.
 */
export class FakeTelegram {
  private readonly channels = new Map<string, { title: string; messages: FakeChannelMessage[] }>();

  private constructor(readonly server: FakeHttpServer) {}

  static async start(): Promise<FakeTelegram> {
    let fake!: FakeTelegram;
    fake = new FakeTelegram(await FakeHttpServer.start((request) => fake.respond(request)));
    return fake;
  }

  get baseUrl(): string {
    return this.server.baseUrl;
  }

  add(channel: string, title: string, ...messages: FakeChannelMessage[]): void {
    const existing = this.channels.get(channel) ?? { title, messages: [] };
    existing.messages.push(...messages);
    existing.messages.sort((a, b) => a.id - b.id);
    this.channels.set(channel, existing);
  }

  pageRequests(channel: string): URL[] {
    return this.server.requestsTo(`/s/${channel}`).map((r) => r.url);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /** t.me's answer, for tests that wrap it. */
  respond(request: FakeRequest): FakeResponse {
    const channel = /^\/s\/([^/]+)$/.exec(request.url.pathname)?.[1];
    if (!channel) return { status: 302, headers: { location: 'https://telegram.org' }, body: '' };
    const { title, messages } = this.channels.get(channel) ?? { title: channel, messages: [] };
    const before = Number(request.url.searchParams.get('before') ?? Number.POSITIVE_INFINITY);
    const earlier = messages.filter((m) => m.id < before);
    const page = earlier.slice(-20);
    return { body: channelPageHtml(channel, title, page, earlier.length > page.length) };
  }
}
