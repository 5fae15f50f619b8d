import { attribute, findElements, hasClass, htmlToText, outerHtml, parseHtml, type HtmlElement, type HtmlNode } from '../../framework/html.js';

/**
 * Reading Telegram's public channel preview (`https://t.me/s/<channel>`), an HTML page of the latest ~20
 * messages, oldest first, and older ones with `?before=<id>`. Each message is a
 * `div.tgme_widget_message[data-post="channel/123"]`; its own text is `.tgme_widget_message_text`, but a reply
 * also quotes the message it answers inside `.tgme_widget_message_reply`, which must not be read as its text.
 */

/** The fields of one message as the page shows them, before validation. */
export interface MessageFields {
  post?: string;
  datetime?: string;
  text: string;
  views?: string;
  ownerName?: string;
  hashtags: string[];
}

/** The messages of a channel page: each one's own HTML (the payload kept with its envelope) and its id, when it has one. */
export function channelMessages(html: string): Array<{ html: string; id?: number }> {
  return findElements(parseHtml(html), (element) => hasClass(element, 'tgme_widget_message')).map((element) => ({
    html: outerHtml(element),
    id: messageId(attribute(element, 'data-post')),
  }));
}

const isReplyQuote = (element: HtmlElement) => hasClass(element, 'tgme_widget_message_reply');

export function messageFields(html: string): MessageFields {
  const roots: HtmlNode[] = parseHtml(html);
  const own = (match: (element: HtmlElement) => boolean) => findElements(roots, match, isReplyQuote)[0];
  const message = findElements(roots, (element) => hasClass(element, 'tgme_widget_message'))[0];
  const text = own((element) => hasClass(element, 'tgme_widget_message_text'));
  const time = own((element) => element.name === 'time' && attribute(element, 'datetime') !== undefined);
  const views = own((element) => hasClass(element, 'tgme_widget_message_views'));
  const owner = own((element) => hasClass(element, 'tgme_widget_message_owner_name'));
  return {
    post: message && attribute(message, 'data-post'),
    datetime: time && attribute(time, 'datetime'),
    text: text ? htmlToText(text.children) : '',
    views: views && htmlToText(views.children),
    ownerName: owner && htmlToText(owner.children),
    hashtags: text ? hashtagLinks(text) : [],
  };
}

/** Hashtags are links to the channel's own search: `<a href="?q=%23tag">#tag</a>`. */
function hashtagLinks(text: HtmlElement): string[] {
  return findElements([text], (element) => element.name === 'a' && (attribute(element, 'href') ?? '').startsWith('?q=%23')).flatMap((link) => {
    try {
      return [decodeURIComponent(attribute(link, 'href')!.slice('?q='.length)).replace(/^#/, '')];
    } catch {
      return [htmlToText(link.children).replace(/^#/, '')];
    }
  });
}

/** The page shows view counts rounded: `987`, `1.2K`, `3.4M`. */
export function parseViewCount(shown: string): number | undefined {
  const match = /^\s*(\d+(?:[.,]\d+)?)\s*([KMB])?\s*$/i.exec(shown);
  if (!match) return undefined;
  const scale = { K: 1e3, M: 1e6, B: 1e9 }[(match[2] ?? '').toUpperCase() as 'K' | 'M' | 'B'] ?? 1;
  return Math.round(Number(match[1]!.replace(',', '.')) * scale);
}

/** `channel/123` → 123. */
export function messageId(post: string | undefined): number | undefined {
  const id = post && /^[^/]+\/(\d+)$/.exec(post)?.[1];
  return id ? Number(id) : undefined;
}
