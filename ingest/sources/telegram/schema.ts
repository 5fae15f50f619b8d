import { z } from 'zod';
import { messageFields, parseViewCount } from './page.js';

/**
 * One channel message: its HTML, read into the fields the preview page shows and validated.
 * A message without its `data-post`, its time, or with views that are no number is a dead letter.
 */
export const TelegramMessage = z
  .string()
  .transform(messageFields)
  .pipe(
    z.object({
      post: z.string().regex(/^[A-Za-z0-9_]+\/\d+$/, 'data-post of the form channel/123'),
      datetime: z.iso.datetime({ offset: true }),
      text: z.string(),
      views: z
        .string()
        .optional()
        .refine((views) => views === undefined || parseViewCount(views) !== undefined, 'a view count such as 987, 1.2K or 3.4M'),
      ownerName: z.string().optional(),
      hashtags: z.array(z.string()),
    }),
  );
export type TelegramMessage = z.infer<typeof TelegramMessage>;
