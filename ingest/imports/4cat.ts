import { z } from 'zod';
import { nonEmptyCells, readCsvRows } from './csv.js';
import { reject, rejectInvalid, toEnvelope } from './envelope.js';
import { Count, FourCatTimestamp, UnixSeconds, uniqueTags } from './fields.js';
import type { ImportFormat } from './format.js';

/**
 * 4CAT's CSV export. Columns differ between 4CAT data sources; every dataset has `id`, `thread_id`,
 * `body`, `subject`, `timestamp` ("YYYY-MM-DD HH:MM:SS", UTC) and `unix_timestamp` (4CAT's Search.items_to_csv),
 * and most have `author` and `hashtags` (comma-separated). The platform is not in the file, so it comes
 * from `--platform`.
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
    error: 'a date is required: unix_timestamp or timestamp',
    path: ['timestamp'],
  });

/** Engagement columns by meaning, in the spellings of 4CAT's data sources; unreadable counts are left out. */
const ENGAGEMENT_COLUMNS = {
  likes: ['like_count', 'likes', 'num_likes'],
  shares: ['retweet_count', 'shares'],
  replies: ['reply_count', 'comments', 'num_comments'],
  views: ['impression_count', 'plays', 'views'],
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
      const cells = nonEmptyCells(entry.row, ['body']);
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
            author: { id: row.author_id, handle: row.author },
            tags: uniqueTags(row.hashtags?.split(',') ?? []),
            url: postUrl([row.link, row.url, row.tiktok_url]),
            platformLang: row.language_guess ?? row.lang,
            replyTo: row.parent_id && row.parent_id !== row.id ? { platformId: row.parent_id } : undefined,
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
