import { z } from 'zod';
import { reject, rejectInvalid, toEnvelope, type Origin } from './envelope.js';
import { Count, IsoInstant, retweetContent, uniqueTags, type TweetContent } from './fields.js';
import type { ImportContext, ImportEvent, ImportFormat } from './format.js';
import { isJsonObject, readJsonLines } from './lines.js';

/**
 * twarc2's JSONL (Twitter API v2). Two layouts, told apart per line:
 * - API response pages as `twarc2 search` writes them: `{data: [tweet…], includes: {users: […]}, meta, __twarc}`;
 *   a tweet's author comes from `includes.users` by `author_id`.
 * - flattened tweets as `twarc2 flatten` writes them: one tweet per line with the `author` object
 *   embedded and the page's `__twarc` copied in.
 * `__twarc.retrieved_at` is when twarc fetched the page, so it is the envelope's collection time.
 * A retweet's own `text` is "RT @user: " and a cut-short copy; the original (with its whole text, `note_tweet`
 * and `entities`) is in the page's `includes.tweets`, or, after `twarc2 flatten`, merged into the retweet's
 * `referenced_tweets[]` entry of `type: "retweeted"`.
 */

const Hashtags = z.array(z.object({ tag: z.string() }));

const TwarcMeta = z.object({ retrieved_at: IsoInstant.optional() });

const V2User = z.object({ id: z.string().optional(), username: z.string().min(1).optional() });
type V2User = z.infer<typeof V2User>;

/** The fields a tweet's text and tags come from: the tweet's own, or a retweeted original's. */
const TweetText = z.object({
  text: z.string(),
  author_id: z.string().optional(),
  /** Embedded by `twarc2 flatten`; `{}` when the author was not in the page's includes. */
  author: V2User.optional(),
  entities: z.object({ hashtags: Hashtags.optional() }).optional(),
  /** Tweets longer than 280 characters: `text` is cut short and the whole text is here. */
  note_tweet: z.object({ text: z.string(), entities: z.object({ hashtags: Hashtags.optional() }).optional() }).optional(),
});
type TweetText = z.infer<typeof TweetText>;

const V2Tweet = TweetText.extend({
  id: z.string().regex(/^\d+$/, 'a numeric tweet id as a string'),
  created_at: IsoInstant,
  conversation_id: z.string().optional(),
  lang: z.string().optional(),
  /** Loose: `twarc2 flatten` merges the referenced tweet's own fields into each entry. */
  referenced_tweets: z.array(z.looseObject({ type: z.string(), id: z.string() })).optional(),
  public_metrics: z
    .object({
      retweet_count: Count.optional(),
      reply_count: Count.optional(),
      like_count: Count.optional(),
      impression_count: Count.optional(),
    })
    .optional(),
  __twarc: TwarcMeta.optional(),
});

const Page = z.object({
  data: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]),
  includes: z.object({ users: z.array(V2User).optional(), tweets: z.array(z.unknown()).optional() }).optional(),
  __twarc: TwarcMeta.optional(),
});

interface PageContext {
  users: ReadonlyMap<string, V2User>;
  /** `includes.tweets` by id, as the API sent them: the originals of retweets, quoted and replied-to tweets. */
  tweets: ReadonlyMap<string, unknown>;
  retrievedAt: string | undefined;
}

/** "RT @user: " at the start of a retweet's own text names the original's author. */
const RETWEET_PREFIX = /^RT @(\w+):/;

function ownContent(tweet: TweetText): TweetContent {
  const hashtags = tweet.note_tweet?.entities?.hashtags ?? tweet.entities?.hashtags ?? [];
  return { text: tweet.note_tweet?.text ?? tweet.text, tags: uniqueTags(hashtags.map((h) => h.tag)) };
}

/** The retweeted original: merged into the reference by `twarc2 flatten`, else in the page's `includes.tweets`. */
function retweetedOriginal(tweet: z.infer<typeof V2Tweet>, page: PageContext | undefined): TweetText | undefined {
  const reference = tweet.referenced_tweets?.find((candidate) => candidate.type === 'retweeted');
  if (!reference) return undefined;
  for (const candidate of [reference, page?.tweets.get(reference.id)]) {
    const original = TweetText.safeParse(candidate);
    if (original.success) return original.data;
  }
  return undefined;
}

/** Text and tags: a retweet's are its original's, when the file holds the original; otherwise the tweet's own. */
function tweetContent(tweet: z.infer<typeof V2Tweet>, page: PageContext | undefined): TweetContent {
  const original = retweetedOriginal(tweet, page);
  if (!original) return ownContent(tweet);
  const handle =
    original.author?.username ??
    (original.author_id ? page?.users.get(original.author_id)?.username : undefined) ??
    RETWEET_PREFIX.exec(tweet.text)?.[1];
  return retweetContent(handle, ownContent(original));
}

function tweetEvent(context: ImportContext, raw: unknown, origin: Origin, page: PageContext | undefined): ImportEvent {
  const parsed = V2Tweet.safeParse(raw);
  if (!parsed.success) return rejectInvalid(context, parsed.error, origin, raw);
  const tweet = parsed.data;
  const author = tweet.author ?? (tweet.author_id ? page?.users.get(tweet.author_id) : undefined);
  const metrics = tweet.public_metrics;
  return toEnvelope(
    context,
    {
      platform: 'x',
      platformId: tweet.id,
      collectedAt: tweet.__twarc?.retrieved_at ?? page?.retrievedAt,
      item: {
        ...tweetContent(tweet, page),
        createdAt: tweet.created_at,
        author: { id: tweet.author_id ?? author?.id, handle: author?.username },
        url: author?.username ? `https://x.com/${author.username}/status/${tweet.id}` : undefined,
        platformLang: tweet.lang,
        replyTo: replyTarget(tweet.referenced_tweets),
        threadId: tweet.conversation_id,
        engagement: metrics && {
          likes: metrics.like_count,
          shares: metrics.retweet_count,
          replies: metrics.reply_count,
          views: metrics.impression_count,
        },
      },
      payload: raw,
    },
    origin,
  );
}

function replyTarget(references: { type: string; id: string }[] | undefined) {
  const target = references?.find((reference) => reference.type === 'replied_to');
  return target ? { platformId: target.id } : undefined;
}

export const twarc2: ImportFormat = {
  summary: 'twarc2 JSONL: API response pages (twarc2 search) or flattened tweets (twarc2 flatten)',
  takesPlatform: false,
  async *read({ chunks, context }) {
    for await (const entry of readJsonLines(chunks)) {
      if ('malformed' in entry) {
        yield reject(context, entry.malformed);
        continue;
      }
      const { value, line } = entry;
      if (isJsonObject(value) && 'data' in value) {
        const page = Page.safeParse(value);
        if (!page.success) {
          yield rejectInvalid(context, page.error, { line }, value);
          continue;
        }
        const users = new Map<string, V2User>();
        for (const user of page.data.includes?.users ?? []) if (user.id) users.set(user.id, user);
        const tweets = new Map<string, unknown>();
        for (const included of page.data.includes?.tweets ?? []) {
          if (isJsonObject(included) && typeof included.id === 'string') tweets.set(included.id, included);
        }
        const pageContext = { users, tweets, retrievedAt: page.data.__twarc?.retrieved_at };
        // A page's `data` is a list, except for single-tweet lookups.
        const data = Array.isArray(value.data) ? value.data : [value.data];
        for (const [index, tweet] of data.entries()) yield tweetEvent(context, tweet, { line, index }, pageContext);
      } else if (isJsonObject(value) && 'meta' in value && !('id' in value)) {
        // The last page of a search that found nothing more has `meta` and no `data`.
        yield { skipped: 'empty-page' };
      } else {
        yield tweetEvent(context, value, { line }, undefined);
      }
    }
  },
};
