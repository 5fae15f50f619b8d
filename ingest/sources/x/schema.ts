import { z } from 'zod';

/** X API v2 shapes (docs.x.com, `GET /2/tweets/search/recent`), with the API's own field names. */

const Id = z.string().regex(/^\d+$/, 'a decimal tweet or user id');

const Entities = z.object({ hashtags: z.array(z.object({ tag: z.string() })).optional() });

/** A post (tweet) with the `tweet.fields` the collector asks for. */
export const XTweet = z.object({
  id: Id,
  text: z.string(),
  created_at: z.iso.datetime({ offset: true }),
  author_id: Id,
  conversation_id: Id,
  lang: z.string().optional(),
  /** Posts longer than 280 characters: `text` and `entities` are cut, the whole text and its entities are here. */
  note_tweet: z.object({ text: z.string(), entities: Entities.optional() }).optional(),
  referenced_tweets: z.array(z.object({ type: z.enum(['replied_to', 'quoted', 'retweeted']), id: Id })).optional(),
  entities: Entities.optional(),
  public_metrics: z
    .object({
      retweet_count: z.number().int().nonnegative(),
      reply_count: z.number().int().nonnegative(),
      like_count: z.number().int().nonnegative(),
      quote_count: z.number().int().nonnegative().optional(),
      impression_count: z.number().int().nonnegative().optional(),
    })
    .optional(),
});
export type XTweet = z.infer<typeof XTweet>;

/** A post's hashtags as written: of the whole text when X cut it (`note_tweet`), else of `text`. */
export function hashtagsOf(tweet: XTweet): string[] {
  return ((tweet.note_tweet?.entities ?? tweet.entities)?.hashtags ?? []).map((h) => h.tag);
}

export const XUser = z.object({ id: Id, username: z.string().min(1), name: z.string().optional() });

/** A search page: `data` is absent when nothing matched; `errors` lists partial errors beside the data. */
export const RecentSearchResponse = z.object({
  data: z.array(z.unknown()).default([]),
  includes: z.object({ users: z.array(z.unknown()).default([]) }).default({ users: [] }),
  meta: z.object({
    result_count: z.number().int().nonnegative(),
    newest_id: Id.optional(),
    oldest_id: Id.optional(),
    next_token: z.string().optional(),
  }),
  errors: z.array(z.unknown()).optional(),
});

/**
 * An error body. X answers in two shapes: the v2 problem (`title`, `detail`, `type`, `status`, for a usage
 * cap also `period` and `scope`) and the older `{"errors":[{"code":88,"message":"Rate limit exceeded"}]}`.
 */
export const XProblem = z.object({
  title: z.string().optional(),
  detail: z.string().optional(),
  type: z.string().optional(),
  reason: z.string().optional(),
  period: z.string().optional(),
  errors: z.array(z.object({ code: z.number().optional(), message: z.string().optional() })).optional(),
});
export type XProblem = z.infer<typeof XProblem>;
