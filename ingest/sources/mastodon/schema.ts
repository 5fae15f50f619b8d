import { z } from 'zod';

/**
 * Mastodon's REST entities, with the API's own field names (docs.joinmastodon.org/entities/Status),
 * limited to what Tagpulse reads. Nullable where Mastodon sends null.
 */
export const MastodonAccount = z.object({
  /** Local to the instance that answered: the same person has another id on every instance. */
  id: z.string().min(1),
  /** `user` for accounts of the answering instance, `user@domain` for remote ones. */
  acct: z.string().min(1),
  username: z.string().min(1),
});

const statusFields = {
  /** Local to the instance that answered; pagination (max_id, since_id) is in these ids. */
  id: z.string().min(1),
  /** The ActivityPub id: the same on every instance the post federates to. */
  uri: z.string().min(1),
  url: z.string().nullish(),
  created_at: z.string(),
  /** HTML. */
  content: z.string(),
  /** Content warning, shown before the content. */
  spoiler_text: z.string().default(''),
  language: z.string().nullish(),
  account: MastodonAccount,
  tags: z.array(z.object({ name: z.string().min(1), url: z.string().optional() })).default([]),
  in_reply_to_id: z.string().nullish(),
  replies_count: z.number().int().nonnegative().optional(),
  reblogs_count: z.number().int().nonnegative().optional(),
  favourites_count: z.number().int().nonnegative().optional(),
};

export const MastodonStatus = z.object({
  ...statusFields,
  /** Set when this status is a boost: the boosted original. */
  reblog: z.object(statusFields).nullish(),
});
export type MastodonStatus = z.infer<typeof MastodonStatus>;

/** `GET /api/v1/timelines/tag/:hashtag` answers an array of statuses, newest first; each is validated on its own. */
export const TagTimelineResponse = z.array(z.unknown());

/** Mastodon's error answer (`{"error": "..."}`), e.g. a refused tag timeline. */
export const MastodonError = z.object({ error: z.string() });
