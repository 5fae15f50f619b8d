import { JSONParser, TokenType } from '@streamparser/json';
import { z } from 'zod';
import { withoutBom } from './bytes.js';
import { reject, rejectInvalid, toEnvelope, type Origin } from './envelope.js';
import { IdString, UnixSeconds, uniqueTags } from './fields.js';
import type { ImportContext, ImportEvent, ImportFormat } from './format.js';
import { isJsonObject } from './lines.js';
import { Utf8Repairer, type Utf8Repair } from './utf8-repair.js';

/**
 * Telegram Desktop's JSON export (`result.json`), of one chat (`{name, type, id, messages}`) or of the
 * whole account (`{chats: {list: [chat…]}, left_chats: {list: [chat…]}, …}`). Exports run to hundreds of
 * megabytes, so the file is parsed as a stream: only the current message and the current chat's
 * name, type and id are held in memory. Telegram Desktop writes a chat's `id` before its `messages`.
 */

const CHAT_SECTIONS = ['chats', 'left_chats'];
const CHAT_FIELDS = ['name', 'type', 'id'];
const PATHS = [
  ...CHAT_FIELDS.map((field) => `$.${field}`),
  '$.messages.*',
  ...CHAT_SECTIONS.flatMap((section) => [
    ...CHAT_FIELDS.map((field) => `$.${section}.list.*.${field}`),
    `$.${section}.list.*.messages.*`,
  ]),
];

/** Chats whose messages have public t.me links, given the chat's username. */
const PUBLIC_CHAT_TYPES = new Set(['public_channel', 'public_supergroup']);

const TextEntity = z.object({ type: z.string(), text: z.string() });

const TelegramMessage = z.object({
  id: z.number().int(),
  type: z.literal('message'),
  /** `date` is local time of the exporting computer without an offset; `date_unixtime` is exact. */
  date_unixtime: UnixSeconds,
  from: z.string().nullish(),
  from_id: z.string().min(1).optional(),
  /** A plain string, or strings mixed with entities such as `{type: "hashtag", text: "#тег"}`. */
  text: z.union([z.string(), z.array(z.union([z.string(), TextEntity]))]),
  text_entities: z.array(TextEntity).optional(),
  reply_to_message_id: z.number().int().optional(),
  /** Set when the reply is to a message in another chat, as `channel123`, `chat123` or `user123`. */
  reply_to_peer_id: z.string().optional(),
});

interface Chat {
  /** Which chat of the file: its section and position, so a chat is told apart before its id is read. */
  position: string;
  name?: string;
  type?: string;
  id?: string;
}

/** The bare numeric id of a peer written as `channel123`, `chat123` or `user123`, as chat ids are written. */
function bareId(peer: string): string {
  return peer.replace(/^(user|channel|chat)(?=\d+$)/, '');
}

function readMessage(context: ImportContext, chat: Chat, raw: unknown, index: number): ImportEvent {
  const origin = { chat: chat.id ?? chat.position, index };
  if (isJsonObject(raw) && (raw.type === 'service' || raw.type === 'unsupported')) {
    // Joins, pins, calls and media this Telegram version could not export: no post to measure.
    return { skipped: `${raw.type}-message` };
  }
  if (chat.id === undefined) {
    return reject(context, { reason: 'format', detail: 'message comes before its chat\'s "id"', origin, raw });
  }
  const parsed = TelegramMessage.safeParse(raw);
  if (!parsed.success) return rejectInvalid(context, parsed.error, origin, raw);
  const message = parsed.data;
  const parts = typeof message.text === 'string' ? [message.text] : message.text;
  const entities = message.text_entities ?? parts.filter((part) => typeof part !== 'string');
  const username = context.telegramUsernames.get(chat.id);
  const replyChat = message.reply_to_peer_id ? bareId(message.reply_to_peer_id) : chat.id;
  return toEnvelope(
    context,
    {
      platform: 'telegram',
      // Message ids are only unique within a chat.
      platformId: `${chat.id}/${message.id}`,
      item: {
        text: parts.map((part) => (typeof part === 'string' ? part : part.text)).join(''),
        createdAt: message.date_unixtime,
        // The export names senders by display name only; `from_id` is the stable id.
        author: { id: message.from_id, handle: message.from ?? undefined },
        tags: uniqueTags(entities.filter((entity) => entity.type === 'hashtag').map((entity) => entity.text)),
        url: username && PUBLIC_CHAT_TYPES.has(chat.type ?? '') ? `https://t.me/${username}/${message.id}` : undefined,
        replyTo: message.reply_to_message_id !== undefined
          ? { platformId: `${replyChat}/${message.reply_to_message_id}` }
          : undefined,
      },
      payload: raw,
    },
    origin,
  );
}

/** Where in the file ill-formed bytes were, for a dead letter's detail. */
function describeRepairs(repairs: readonly Utf8Repair[]): string {
  // Ill-formed sequences next to each other are one run of bad bytes.
  const runs: Array<{ from: number; to: number }> = [];
  for (const r of repairs) {
    const last = runs.at(-1);
    if (last && last.to + 1 === r.from) last.to = r.from + r.length - 1;
    else runs.push({ from: r.from, to: r.from + r.length - 1 });
  }
  const shown = runs.slice(0, 5).map((r) => (r.from === r.to ? `byte ${r.from}` : `bytes ${r.from}–${r.to}`));
  return `${shown.join(', ')}${runs.length > shown.length ? ` and ${runs.length - shown.length} more` : ''}`;
}

export const telegramDesktop: ImportFormat = {
  summary: 'Telegram Desktop JSON export (result.json) of one chat or the whole account',
  takesPlatform: false,
  async *read({ chunks, context }) {
    let queue: ImportEvent[] = [];
    let chat: Chat = { position: '' };
    let chatsSeen = 0;
    // Invalid UTF-8 (a corrupted export, a bad copy) is replaced by U+FFFD before the parser sees it, each place
    // noted; the message holding one is dead-lettered with reason "encoding" and the rest of the file goes on
    // (docs/imports.md#invalid-utf-8). The parser reports byte offsets of tokens: a message spans from its "{" to
    // its "}", so the repairs between them are its own.
    const repairer = new Utf8Repairer();
    const opened: number[] = [];
    let closed = { start: -1, end: -1 };
    let lastToken = -1;
    const encodingLetter = (repairs: readonly Utf8Repair[], where: string, origin: Origin, raw: unknown): ImportEvent =>
      reject(context, {
        reason: 'encoding',
        detail: `invalid UTF-8 ${where} (${describeRepairs(repairs)} of the file; shown as U+FFFD in raw)`,
        origin,
        raw,
      });
    /** Repairs before `offset` that no message holds (a chat's name, a field the reader skips): reported, nothing lost. */
    const outsideMessages = (offset: number) => {
      const stray = repairs(offset - 1);
      if (stray.length > 0) {
        queue.push(encodingLetter(stray, 'outside any message (in chat metadata or a field the import skips); no message lost', { chat: chat.id ?? chat.position }, null));
      }
    };
    const repairs = (upTo: number) => (repairer.pending.length === 0 ? [] : repairer.takeUpTo(upTo));
    const parser = new JSONParser({ paths: PATHS, keepStack: false });
    parser.onToken = ({ token, offset }) => {
      lastToken = offset;
      if (token === TokenType.LEFT_BRACE || token === TokenType.LEFT_BRACKET) opened.push(offset);
      else if (token === TokenType.RIGHT_BRACE || token === TokenType.RIGHT_BRACKET) closed = { start: opened.pop() ?? 0, end: offset };
    };
    parser.onValue = ({ value, key, stack }) => {
      // stack[i] holds the container at depth i - 1 and the key being filled in it.
      const position = stack.length >= 4 ? `${String(stack[1]!.key)}[${String(stack[3]!.key)}]` : 'chat';
      if (position !== chat.position) {
        chat = { position };
        chatsSeen += 1;
      }
      if (typeof key === 'number') {
        // An object or array ends at the token just read; a bare string message holds no repair found here (it is not a message anyway).
        const container = typeof value === 'object' && value !== null && closed.end === lastToken;
        const start = container ? closed.start : lastToken;
        outsideMessages(start);
        const own = container ? repairs(closed.end) : [];
        if (own.length > 0) {
          const origin = { chat: chat.id ?? chat.position, index: key };
          const id = isJsonObject(value) && typeof value.id === 'number' ? ` ${value.id}` : '';
          queue.push(encodingLetter(own, `in message${id}, which is not imported`, origin, value));
        } else {
          queue.push(readMessage(context, chat, value, key));
        }
      } else if (key === 'id') {
        const id = IdString.safeParse(value);
        if (id.success) chat.id = id.data;
      } else if (key === 'name' || key === 'type') {
        if (typeof value === 'string') chat[key] = value;
      }
    };
    const failure = (reason: string, detail: string): ImportEvent =>
      reject(context, { reason, detail, origin: { chat: chat.id ?? chat.position }, raw: null });
    for await (const chunk of withoutBom(chunks)) {
      const bytes = repairer.push(chunk);
      try {
        parser.write(bytes);
      } catch (error) {
        yield* queue;
        const bad = repairer.pending.length > 0 ? ` (after invalid UTF-8 at ${describeRepairs(repairer.pending)})` : '';
        yield failure('json', `the file stops being valid JSON${bad}: ${(error as Error).message}`);
        return;
      }
      yield* queue;
      queue = [];
    }
    if (repairer.end() > 0) {
      yield failure('encoding', 'the file ends inside a UTF-8 character');
      return;
    }
    outsideMessages(Number.POSITIVE_INFINITY);
    yield* queue;
    queue = [];
    if (!parser.isEnded) {
      yield failure('json', 'the file ends before its JSON does (an interrupted export?)');
    } else if (chatsSeen === 0) {
      yield failure('format', 'no chat found: expected a chat export (name, type, id, messages) or an account export (chats.list)');
    }
  },
};
