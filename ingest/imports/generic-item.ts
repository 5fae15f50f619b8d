import { z } from 'zod';
import { Platform } from '../../schemas/index.js';
import { rejectInvalid, toEnvelope, type Origin } from './envelope.js';
import { FlexibleInstant, IdString, uniqueTags } from './fields.js';
import type { ImportContext, ImportEvent } from './format.js';

/**
 * Tagpulse's own documented import format (docs/imports.md), for data from tools without a reader of
 * their own. The JSONL and CSV variants differ only in how a row is spelled, not in what it means.
 */
export const GenericItem = z.object({
  id: IdString,
  text: z.string(),
  created_at: FlexibleInstant,
  platform: Platform.nullish(),
  author_id: IdString.nullish(),
  author_handle: z.string().min(1).nullish(),
  tags: z.array(z.string()).nullish(),
  url: z.url().nullish(),
  reply_to: IdString.nullish(),
  lang: z.string().min(1).nullish(),
});
export type GenericItem = z.infer<typeof GenericItem>;

/** `payload` is the row as the file had it, when `value` is a reading of it (CSV cells to fields). */
export function readGenericItem(context: ImportContext, value: unknown, origin: Origin, payload: unknown = value): ImportEvent {
  const parsed = GenericItem.safeParse(value);
  if (!parsed.success) return rejectInvalid(context, parsed.error, origin, payload);
  const item = parsed.data;
  return toEnvelope(
    context,
    {
      platform: item.platform ?? context.platform ?? 'generic',
      platformId: item.id,
      item: {
        text: item.text,
        createdAt: item.created_at,
        author: { id: item.author_id ?? undefined, handle: item.author_handle ?? undefined },
        tags: uniqueTags(item.tags ?? []),
        url: item.url ?? undefined,
        platformLang: item.lang ?? undefined,
        replyTo: item.reply_to ? { platformId: item.reply_to } : undefined,
      },
      payload,
    },
    origin,
  );
}
