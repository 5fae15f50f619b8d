import { z } from 'zod';
import { nonEmptyCells, readCsvRows } from './csv.js';
import { reject, rejectInvalid, toEnvelope } from './envelope.js';
import { Count, FourCatTimestamp, UnixSeconds, uniqueTags } from './fields.js';
import type { ImportFormat } from './format.js';

/**
 * 4CAT's CSV export. Columns differ between 4CAT data sources; every dataset has `id`, `thread_id`,
 * `body`, `subject`, `timestamp` ("YYYY-MM-DD HH:MM:SS", UTC) and `unix_timestamp` (4CAT's Search.items_to_csv),
 * and most have `author` and `hashtags` (comma-separated). The platform is not in the file, so it comes
 * from `--platform`; with `--platform telegram` the rows are read as 4CAT's Telegram data source writes them.
 * 4CAT writes a date of 0 for items it had no date for (Instagram grid and Polaris items): that is no date.
 */

/** An optional cell; blank cells were dropped before parsing. */
const Cell = z.string().trim().optional();

const FourCatRow = z
  .object({
    id: z.string().trim().min(1),
    body: z.string(),
    subject: Cell,
    unix_timestamp: UnixSeconds.optional(),
    timestamp: FourCatTimestamp.optional(),
    author: Cell,
    author_id: Cell,
    /** Telegram: `author` is the numeric user id, these are the handle and the display name. */
    author_username: Cell,
    author_name: Cell,
    /** Telegram: the id of the message answered, within the same chat. */
    reply_to: Cell,
    thread_id: Cell,
    parent_id: Cell,
    hashtags: Cell,
    /** Post links: `link` (X), `url` (most), `tiktok_url` (TikTok). */
    link: Cell,
    url: Cell,
    tiktok_url: Cell,
    language_guess: Cell,
    lang: Cell,
  })
  .refine((row) => row.unix_timestamp !== undefined || row.timestamp !== undefined, {
    error: 'a date is required: unix_timestamp or timestamp (0 means 4CAT had no date for the item)',
    path: ['timestamp'],
  });
type FourCatRow = z.infer<typeof FourCatRow>;

/** What 4CAT writes in the date columns of an item without a date: 0, or the epoch 0 stands for. */
const MISSING_DATES = {
  unix_timestamp: /^0+(\.0+)?$/,
  timestamp: /^(0+|1970-01-01 00:00:00)$/,
} as const;

/** The cells without date placeholders, so a row whose only date is 0 is refused like a row without one. */
function withoutMissingDates(cells: Record<string, string>): Record<string, string> {
  const kept = { ...cells };
  for (const [column, placeholder] of Object.entries(MISSING_DATES)) {
    if (kept[column] !== undefined && placeholder.test(kept[column].trim())) delete kept[column];
  }
  return kept;
}

/** Engagement columns by meaning, in the spellings of 4CAT's data sources; unreadable counts are left out. */
const ENGAGEMENT_COLUMNS = {
  likes: ['like_count', 'likes', 'num_likes'],
  shares: ['retweet_count', 'shares'],
  replies: ['reply_count', 'comments', 'num_comments'],
  views: ['impression_count', 'plays', 'views', 'play_count'],
} as const;

function engagement(row: Record<string, string>) {
  const counts: Partial<Record<keyof typeof ENGAGEMENT_COLUMNS, number>> = {};
  for (const [measure, columns] of Object.entries(ENGAGEMENT_COLUMNS) as [keyof typeof ENGAGEMENT_COLUMNS, readonly string[]][]) {
    const column = columns.find((name) => row[name] !== undefined);
    const count = column === undefined ? undefined : Count.safeParse(row[column]!.trim());
    if (count?.success) counts[measure] = count.data;
  }
  return Object.keys(counts).length > 0 ? counts : undefined;
}

/** The first http(s) link among the candidates; a non-link in a URL column is dropped, not fatal. */
function postUrl(candidates: (string | undefined)[]): string | undefined {
  return candidates.find((value) => value !== undefined && /^https?:\/\//i.test(value) && URL.canParse(value));
}

/**
 * Author and reply target. 4CAT's Telegram rows put the user id in `author` (handle in `author_username`, display
 * name in `author_name`, used as handle when there is no username, as the Telegram Desktop reader does) and the
 * answered message's bare id in `reply_to`, while row ids are `<thread_id>-<message id>`.
 * Other data sources: `author` is the handle, `author_id` the id, and `parent_id` the item answered.
 */
function authorAndReply(row: FourCatRow, platform: string | undefined) {
  if (platform === 'telegram') {
    const chat = row.thread_id ?? (row.id.lastIndexOf('-') > 0 ? row.id.slice(0, row.id.lastIndexOf('-')) : undefined);
    const target = row.reply_to && /^\d+$/.test(row.reply_to) ? (chat ? `${chat}-${row.reply_to}` : undefined) : row.reply_to;
    return {
      author: { id: row.author ?? row.author_id, handle: row.author_username ?? row.author_name },
      replyTo: target && target !== row.id ? { platformId: target } : undefined,
    };
  }
  return {
    author: { id: row.author_id, handle: row.author },
    replyTo: row.parent_id && row.parent_id !== row.id ? { platformId: row.parent_id } : undefined,
  };
}

export const fourCat: ImportFormat = {
  summary: '4CAT CSV export (platform from --platform, else generic)',
  takesPlatform: true,
  async *read({ chunks, context }) {
    for await (const entry of readCsvRows(chunks)) {
      if ('malformed' in entry) {
        yield reject(context, entry.malformed);
        continue;
      }
      const origin = { line: entry.line };
      const cells = withoutMissingDates(nonEmptyCells(entry.row, ['body']));
      const parsed = FourCatRow.safeParse(cells);
      if (!parsed.success) {
        yield rejectInvalid(context, parsed.error, origin, entry.row);
        continue;
      }
      const row = parsed.data;
      yield toEnvelope(
        context,
        {
          platform: context.platform ?? 'generic',
          platformId: row.id,
          item: {
            // Thread subjects (forums, 4chan) carry tags as much as the body does.
            text: row.subject ? `${row.subject}\n\n${row.body}` : row.body,
            createdAt: (row.unix_timestamp ?? row.timestamp)!,
            ...authorAndReply(row, context.platform),
            tags: uniqueTags(row.hashtags?.split(',') ?? []),
            url: postUrl([row.link, row.url, row.tiktok_url]),
            platformLang: row.language_guess ?? row.lang,
            threadId: row.thread_id,
            engagement: engagement(cells),
          },
          payload: entry.row,
        },
        origin,
      );
    }
  },
};
