import type { SourceConfig } from '../../../schemas/index.js';
import { expectOk } from '../../framework/http.js';
import { normaliseTags, PageBuilder, type PollingSource, type SourceContext } from '../../framework/source.js';
import { newestFirst, TimelineCursor, type TimelineRequest } from '../../framework/timeline.js';
import { channelMessages, messageId, parseViewCount } from './page.js';
import { TelegramMessage } from './schema.js';

export type TelegramConfig = Extract<SourceConfig, { type: 'telegram' }>;

export const DEFAULT_TELEGRAM_WEB = 'https://t.me';

/**
 * Public Telegram channels through their web preview (`/s/<channel>`): no account or API key, but only channels
 * whose owners left the preview on, and only what the page shows (text, time, views; no reactions, no comments).
 * One query per channel; of its messages, those carrying a collected hashtag are kept.
 *
 * Paging: newest first with `?before=<smallest id on the page>`. Message ids grow within a channel, so the
 * high-water mark is the newest message id and a run stops at the first page that reaches it.
 */
export function createTelegramSource(config: TelegramConfig, context: SourceContext): PollingSource<TimelineCursor> {
  const tracked = normaliseTags(context.tags);
  const base = new URL(config.baseUrl ?? DEFAULT_TELEGRAM_WEB);
  const channels = config.channels.map((channel) => channel.replace(/^@/, ''));

  const fetchTimeline = async ({ query: channel, highWater, next, signal }: TimelineRequest) => {
    const url = new URL(`/s/${encodeURIComponent(channel)}`, base);
    if (next) url.searchParams.set('before', next);
    const response = expectOk(await context.http.request(url, { signal, headers: { accept: 'text/html' } }));
    const messages = channelMessages(response.body);
    const mark = highWater === undefined ? 0 : Number(highWater);
    const page = new PageBuilder({ sourceName: config.name, platform: 'telegram', clock: context.clock });
    for (const { html } of messages) {
      page.add(
        html,
        TelegramMessage,
        (message) => {
          const id = messageId(message.post)!;
          const tags = message.hashtags.map((tag) => tag.toLowerCase()).filter((tag) => tracked.includes(tag));
          // At or below the mark: collected by an earlier run. Without a collected tag: not ours.
          if (id <= mark || tags.length === 0) return undefined;
          const [name, number] = message.post.split('/') as [string, string];
          return {
            // Usernames are case-insensitive; one spelling keeps one key per message.
            platformId: `${name.toLowerCase()}/${number}`,
            query: tags[0],
            item: {
              text: message.text,
              createdAt: message.datetime,
              author: { id: name.toLowerCase(), handle: name },
              tags: message.hashtags,
              url: `https://t.me/${message.post}`,
              engagement: message.views === undefined ? undefined : { views: parseViewCount(message.views) },
            },
          };
        },
        { url: url.href },
        'utf8',
      );
    }
    const ids = messages.flatMap(({ id }) => (id === undefined ? [] : [id]));
    const oldest = ids.length > 0 ? Math.min(...ids) : undefined;
    if (oldest === undefined && next === undefined) context.log.warn('channel page shows no messages: is its web preview off?', { channel, url: url.href });
    return {
      page,
      newest: ids.length > 0 ? String(Math.max(...ids)) : undefined,
      older: oldest !== undefined && oldest > mark + 1 ? String(oldest) : undefined,
    };
  };

  return {
    kind: 'polling',
    name: config.name,
    platform: 'telegram',
    cursorSchema: TimelineCursor,
    queries: () => channels,
    fetchPage: newestFirst(fetchTimeline),
  };
}
