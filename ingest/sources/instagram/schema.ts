import { z } from 'zod';

/** Instagram Graph API shapes (developers.facebook.com/docs/instagram-platform), with the API's own field names. */

/** Graph timestamps are ISO 8601 with an offset without colon (`2026-03-08T10:00:00+0000`); read as an ISO instant. */
export const GraphTime = z
  .string()
  .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)$/, 'an ISO 8601 time with an offset')
  .transform((value) => new Date(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')).toISOString());

/** `ig_hashtag_search`: the hashtag's node id (stable: it can be kept). */
export const HashtagSearchResponse = z.object({ data: z.array(z.object({ id: z.string().min(1) })) });

/** A media object of `/{hashtag-id}/recent_media` with the fields the collector asks for (no author: the API does not give it). */
export const InstagramMedia = z.object({
  id: z.string().min(1),
  caption: z.string().optional(),
  media_type: z.enum(['IMAGE', 'VIDEO', 'CAROUSEL_ALBUM']),
  permalink: z.url().optional(),
  timestamp: GraphTime,
  like_count: z.number().int().nonnegative().optional(),
  comments_count: z.number().int().nonnegative().optional(),
});
export type InstagramMedia = z.infer<typeof InstagramMedia>;

/** A page: `paging.next` only while more pages exist; the `after` cursor is the same string on every page of a listing. */
export const RecentMediaResponse = z.object({
  data: z.array(z.unknown()),
  paging: z
    .object({
      cursors: z.object({ after: z.string().optional(), before: z.string().optional() }).optional(),
      next: z.string().optional(),
    })
    .optional(),
});

/** The Graph API's error body. */
export const GraphError = z.object({
  error: z.object({
    message: z.string().default(''),
    type: z.string().optional(),
    code: z.number().int().optional(),
    error_subcode: z.number().int().optional(),
    fbtrace_id: z.string().optional(),
  }),
});
