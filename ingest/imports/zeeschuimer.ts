import { z } from 'zod';
import type { RawItem } from '../../schemas/index.js';
import { reject, rejectInvalid, toEnvelope, type Rejection } from './envelope.js';
import { Count, IdString, retweetContent, TwitterDate, UnixMillis, UnixSeconds, uniqueTags, type TweetContent } from './fields.js';
import type { ImportFormat } from './format.js';
import { isJsonObject, readJsonLines } from './lines.js';

/**
 * Zeeschuimer's NDJSON (the browser extension's ".ndjson" download), in its two layouts:
 * - the wrapper Zeeschuimer writes: `{nav_index, item_id, timestamp_collected (ms), source_platform
 *   ("twitter.com", "instagram.com", "tiktok.com"…), source_platform_url, source_url, user_agent, data}`,
 *   where `data` is the item as the platform's web API returned it;
 * - the bare layout: the platform item itself on each line, as 4CAT stores Zeeschuimer uploads and gives
 *   them back in its NDJSON download, with the wrapper's fields moved into `__import_meta`, or without them.
 *   Without `__import_meta` the platform is recognised from the item's shape.
 * Items of other platforms Zeeschuimer supports (LinkedIn, Threads, Douyin…) are counted as skipped.
 */

type Mapped = { platformId: string; item: z.input<typeof RawItem> };
/** `refused`: an item that is readable but cannot be stored, with its own dead-letter reason. */
type ItemReading = Mapped | { error: z.ZodError } | { skipped: string } | { refused: Pick<Rejection, 'reason' | 'detail'> };

// X/Twitter: GraphQL tweet objects (`rest_id`, `legacy`, `core`), or the older adaptive.json tweets
// Zeeschuimer rebuilt as `{type: "adaptive", legacy, user}`.

const TweetLegacy = z.object({
  id_str: z.string().optional(),
  full_text: z.string(),
  created_at: TwitterDate,
  user_id_str: z.string().optional(),
  conversation_id_str: z.string().optional(),
  in_reply_to_status_id_str: z.string().nullish(),
  lang: z.string().optional(),
  entities: z.object({ hashtags: z.array(z.object({ text: z.string() })).optional() }).optional(),
  favorite_count: Count.optional(),
  retweet_count: Count.optional(),
  reply_count: Count.optional(),
  retweeted_status_result: z.object({ result: z.unknown() }).optional(),
});

const ScreenName = z.object({ screen_name: z.string().min(1).optional() });

const GraphQlTweet = z.object({
  rest_id: z.string().min(1),
  legacy: TweetLegacy,
  core: z
    .object({
      user_results: z.object({
        // X moved `screen_name` from `legacy` to `core` in 2025; exports hold either.
        result: z.object({ rest_id: z.string().optional(), core: ScreenName.optional(), legacy: ScreenName.optional() }),
      }),
    })
    .optional(),
  /** Tweets longer than 280 characters: `legacy.full_text` is cut short and the whole text is here. */
  note_tweet: z
    .object({
      note_tweet_results: z.object({
        result: z.object({
          text: z.string(),
          entity_set: z.object({ hashtags: z.array(z.object({ text: z.string() })).optional() }).optional(),
        }),
      }),
    })
    .optional(),
  views: z.object({ count: Count.optional() }).optional(),
  /** Set by Zeeschuimer for tweets X inserted as advertisements. */
  promoted: z.boolean().optional(),
});
type GraphQlTweet = z.infer<typeof GraphQlTweet>;

const AdaptiveTweet = z.object({
  type: z.literal('adaptive'),
  legacy: TweetLegacy.extend({ id_str: z.string().min(1) }),
  user: z.object({ screen_name: z.string().min(1), id_str: z.string().optional() }),
});

/** Tweets nested in `TweetWithVisibilityResults` carry the tweet one level down. */
function unwrapTweet(data: unknown): unknown {
  return isJsonObject(data) && !('rest_id' in data) && isJsonObject(data.tweet) ? data.tweet : data;
}

function screenName(tweet: GraphQlTweet): string | undefined {
  const user = tweet.core?.user_results.result;
  return user?.core?.screen_name ?? user?.legacy?.screen_name;
}

/** Text and tags of a tweet; a retweet's `full_text` is cut short, so the original's are used, as X shows them. */
function tweetContent(tweet: GraphQlTweet): TweetContent {
  const retweeted = GraphQlTweet.safeParse(unwrapTweet(tweet.legacy.retweeted_status_result?.result));
  if (retweeted.success) return retweetContent(screenName(retweeted.data), tweetContent(retweeted.data));
  const note = tweet.note_tweet?.note_tweet_results.result;
  const hashtags = note?.entity_set?.hashtags ?? tweet.legacy.entities?.hashtags ?? [];
  return { text: note?.text ?? tweet.legacy.full_text, tags: uniqueTags(hashtags.map((h) => h.text)) };
}

function legacyFields(legacy: z.infer<typeof TweetLegacy>) {
  return {
    createdAt: legacy.created_at,
    platformLang: legacy.lang,
    replyTo: legacy.in_reply_to_status_id_str ? { platformId: legacy.in_reply_to_status_id_str } : undefined,
    threadId: legacy.conversation_id_str,
  };
}

function readTweet(data: unknown): ItemReading {
  const tweet = unwrapTweet(data);
  if (isJsonObject(tweet) && tweet.type === 'adaptive') {
    const parsed = AdaptiveTweet.safeParse(tweet);
    if (!parsed.success) return { error: parsed.error };
    const { legacy, user } = parsed.data;
    return {
      platformId: legacy.id_str,
      item: {
        ...legacyFields(legacy),
        text: legacy.full_text,
        author: { id: user.id_str ?? legacy.user_id_str, handle: user.screen_name },
        tags: uniqueTags((legacy.entities?.hashtags ?? []).map((h) => h.text)),
        url: `https://x.com/${user.screen_name}/status/${legacy.id_str}`,
        engagement: { likes: legacy.favorite_count, shares: legacy.retweet_count, replies: legacy.reply_count },
      },
    };
  }
  const parsed = GraphQlTweet.safeParse(tweet);
  if (!parsed.success) return { error: parsed.error };
  if (parsed.data.promoted) return { skipped: 'advertisement' };
  const { rest_id: id, legacy, views } = parsed.data;
  const handle = screenName(parsed.data);
  return {
    platformId: id,
    item: {
      ...legacyFields(legacy),
      ...tweetContent(parsed.data),
      author: { id: legacy.user_id_str ?? parsed.data.core?.user_results.result.rest_id, handle },
      url: handle ? `https://x.com/${handle}/status/${id}` : undefined,
      engagement: { likes: legacy.favorite_count, shares: legacy.retweet_count, replies: legacy.reply_count, views: views?.count },
    },
  };
}

// Instagram: the web API's media items (`code`, `taken_at`, `caption.text`, `user.username`), or the
// older GraphQL nodes (`shortcode`, `taken_at_timestamp`). Both are keyed by the shortcode, the id in post URLs.

const InstagramUser = z.object({ username: z.string().min(1).optional(), pk: IdString.optional(), id: IdString.optional() });

const InstagramMedia = z.object({
  code: z.string().min(1),
  taken_at: UnixSeconds,
  caption: z.object({ text: z.string() }).nullish(),
  user: InstagramUser.optional(),
  owner: InstagramUser.optional(),
  like_count: Count.optional(),
  comment_count: Count.optional(),
  play_count: Count.optional(),
  product_type: z.string().optional(),
});

const InstagramGraphNode = z.object({
  shortcode: z.string().min(1),
  taken_at_timestamp: UnixSeconds,
  edge_media_to_caption: z.object({ edges: z.array(z.object({ node: z.object({ text: z.string() }) })) }).optional(),
  owner: InstagramUser.optional(),
  edge_media_preview_like: z.object({ count: Count }).optional(),
  edge_media_to_comment: z.object({ count: Count }).optional(),
  video_view_count: Count.optional(),
});

function instagramUrl(shortcode: string): string {
  return `https://www.instagram.com/p/${shortcode}/`;
}

/** The "Polaris" web app's media types, which Zeeschuimer takes from grid views (`/popular/`, tagged pages). */
const POLARIS_TYPENAMES: ReadonlySet<unknown> = new Set(['XIGPolarisVideoMedia', 'XIGPolarisImageMedia']);

/**
 * Items Zeeschuimer marks `_zs_partial: true` (no caption, video or media type in the response it saw) and
 * Polaris grid items often lack `taken_at`; Zeeschuimer only completes them when the post's own page is visited.
 */
function isPartialInstagram(item: Record<string, unknown>): boolean {
  return item._zs_partial === true || POLARIS_TYPENAMES.has(item.__typename);
}

function partialWithoutDate(item: Record<string, unknown>): ItemReading {
  const code = typeof item.code === 'string' && item.code !== '' ? item.code : undefined;
  const kind = POLARIS_TYPENAMES.has(item.__typename) ? `a grid item of type ${String(item.__typename)}` : 'marked _zs_partial';
  const page = code ? instagramUrl(code) : "the post's own page";
  return {
    refused: {
      reason: 'partial-item',
      detail:
        `Zeeschuimer captured a partial Instagram item${code ? ` (${code})` : ''}, ${kind}, without a publication time (taken_at), ` +
        `so it cannot be dated and is not imported; open ${page} with Zeeschuimer running to capture the whole post, then import again`,
    },
  };
}

function readInstagram(data: unknown): ItemReading {
  if (isJsonObject(data) && isPartialInstagram(data) && data.taken_at == null && data.taken_at_timestamp == null) {
    return partialWithoutDate(data);
  }
  if (isJsonObject(data) && 'shortcode' in data) {
    const parsed = InstagramGraphNode.safeParse(data);
    if (!parsed.success) return { error: parsed.error };
    const node = parsed.data;
    return {
      platformId: node.shortcode,
      item: {
        text: node.edge_media_to_caption?.edges[0]?.node.text ?? '',
        createdAt: node.taken_at_timestamp,
        author: { id: node.owner?.id ?? node.owner?.pk, handle: node.owner?.username },
        url: instagramUrl(node.shortcode),
        engagement: {
          likes: node.edge_media_preview_like?.count,
          replies: node.edge_media_to_comment?.count,
          views: node.video_view_count,
        },
      },
    };
  }
  const parsed = InstagramMedia.safeParse(data);
  if (!parsed.success) return { error: parsed.error };
  const media = parsed.data;
  if (media.product_type === 'ad') return { skipped: 'advertisement' };
  const user = media.user ?? media.owner;
  return {
    platformId: media.code,
    item: {
      text: media.caption?.text ?? '',
      createdAt: media.taken_at,
      author: { id: user?.pk ?? user?.id, handle: user?.username },
      url: instagramUrl(media.code),
      engagement: { likes: media.like_count, replies: media.comment_count, views: media.play_count },
    },
  };
}

// TikTok: items of the web API's item lists (`desc`, `createTime`, `author.uniqueId`, `challenges`, `textExtra`).
// Items Zeeschuimer took from a page's embedded JSON have `author` as the bare unique id.

const TikTokItem = z.object({
  id: IdString,
  desc: z.string(),
  createTime: UnixSeconds,
  author: z.union([
    z.string().min(1),
    z.object({ id: IdString.optional(), uniqueId: z.string().min(1).optional() }),
  ]),
  stats: z
    .object({ diggCount: Count.optional(), shareCount: Count.optional(), commentCount: Count.optional(), playCount: Count.optional() })
    .optional(),
  challenges: z.array(z.object({ title: z.string() })).optional(),
  textExtra: z.array(z.object({ hashtagName: z.string().nullish() })).optional(),
});

function readTikTok(data: unknown): ItemReading {
  const parsed = TikTokItem.safeParse(data);
  if (!parsed.success) return { error: parsed.error };
  const video = parsed.data;
  const author = typeof video.author === 'string' ? { uniqueId: video.author, id: undefined } : video.author;
  const tags = [...(video.challenges ?? []).map((c) => c.title), ...(video.textExtra ?? []).map((t) => t.hashtagName ?? '')];
  return {
    platformId: video.id,
    item: {
      text: video.desc,
      createdAt: video.createTime,
      author: { id: author.id, handle: author.uniqueId },
      tags: uniqueTags(tags),
      url: author.uniqueId ? `https://www.tiktok.com/@${author.uniqueId}/video/${video.id}` : undefined,
      engagement: {
        likes: video.stats?.diggCount,
        shares: video.stats?.shareCount,
        replies: video.stats?.commentCount,
        views: video.stats?.playCount,
      },
    },
  };
}

const READERS = { x: readTweet, instagram: readInstagram, tiktok: readTikTok } as const;
type ZeeschuimerPlatform = keyof typeof READERS;

/** Zeeschuimer's `source_platform` is the module's domain; X kept "twitter.com" after the rename. */
const SOURCE_PLATFORMS: Record<string, ZeeschuimerPlatform> = {
  'twitter.com': 'x',
  'x.com': 'x',
  'instagram.com': 'instagram',
  'tiktok.com': 'tiktok',
};

/**
 * For bare items without `__import_meta`: each platform's items have fields the others lack. Instagram items
 * without `taken_at` still carry Zeeschuimer's `_zs_instagram_view`, or a Polaris type name.
 */
function platformByShape(item: Record<string, unknown>): ZeeschuimerPlatform | undefined {
  const tweet = unwrapTweet(item);
  if (isJsonObject(tweet) && 'legacy' in tweet && ('rest_id' in tweet || tweet.type === 'adaptive')) return 'x';
  if ('taken_at' in item || 'taken_at_timestamp' in item || '_zs_instagram_view' in item || POLARIS_TYPENAMES.has(item.__typename)) {
    return 'instagram';
  }
  if ('createTime' in item) return 'tiktok';
  return undefined;
}

const Wrapper = z.object({
  timestamp_collected: UnixMillis.optional(),
  source_platform: z.string(),
  data: z.record(z.string(), z.unknown()),
});

const ImportMeta = z.object({ timestamp_collected: UnixMillis.optional(), source_platform: z.string().optional() });

export const zeeschuimer: ImportFormat = {
  summary: 'Zeeschuimer NDJSON (X/Twitter, Instagram, TikTok), as downloaded or as 4CAT gives it back',
  takesPlatform: false,
  async *read({ chunks, context }) {
    for await (const entry of readJsonLines(chunks)) {
      if ('malformed' in entry) {
        yield reject(context, entry.malformed);
        continue;
      }
      const { value, line } = entry;
      const origin = { line };
      if (!isJsonObject(value)) {
        yield reject(context, { reason: 'format', detail: 'line is not a JSON object', origin, raw: value });
        continue;
      }
      const wrapped = 'data' in value && 'source_platform' in value;
      const envelopeMeta = wrapped ? Wrapper.safeParse(value) : ImportMeta.safeParse(value.__import_meta ?? {});
      if (!envelopeMeta.success) {
        yield rejectInvalid(context, envelopeMeta.error, origin, value);
        continue;
      }
      const data = wrapped ? (value.data as Record<string, unknown>) : value;
      const sourcePlatform = envelopeMeta.data.source_platform;
      const platform = sourcePlatform === undefined ? platformByShape(data) : SOURCE_PLATFORMS[sourcePlatform];
      if (platform === undefined) {
        if (sourcePlatform !== undefined) {
          yield { skipped: 'unsupported-platform' };
        } else {
          const detail = 'not an X/Twitter, Instagram or TikTok item, and no source_platform says what it is';
          yield reject(context, { reason: 'format', detail, origin, raw: value });
        }
        continue;
      }
      const reading = READERS[platform](data);
      if ('error' in reading) yield rejectInvalid(context, reading.error, origin, value);
      else if ('refused' in reading) yield reject(context, { ...reading.refused, origin, raw: value });
      else if ('skipped' in reading) yield reading;
      else {
        const collectedAt = envelopeMeta.data.timestamp_collected;
        yield toEnvelope(context, { platform, ...reading, collectedAt, payload: value }, origin);
      }
    }
  },
};
