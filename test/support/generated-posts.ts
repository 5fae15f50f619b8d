import { rawKey, type Lang, type Platform, type RawEnvelope } from '../../schemas/index.js';
import { canonicalTag } from '../../processors/normalise/canonical.js';
import { seededRandom } from './random.js';
import { readSharedJson } from './shared.js';


/** Sentences whose language the offline identifier gets right (checked by the tests that use them). */
export const SENTENCES: Record<Exclude<Lang, 'other'>, string[]> = {
  kk: ['Біз бірге шеруге шықтық', 'Әйелдер құқығы үшін бүгін алаңда болдық', 'Мен ояндым және енді үндемеймін', 'Бүгін көктем келді'],
  ru: [
    'Сегодня мы вышли на марш вместе',
    'Мы требуем справедливости для всех женщин',
    'Это только начало, мы не будем молчать',
    // Abuse, so the abuse metric has something to count (from the labelled dev set).
    'Очередная шалава с плакатом. Таких надо гнать с площади',
    'Место бабы на кухне, а не на митинге. Иди борщ вари',
    'Ты тупой что ли? Иди учи историю, а потом пиши про выборы',
  ],
  en: ['We marched together today for women', 'This is only the beginning and we will not be silent', 'Thank you all for speaking up'],
};

interface HashtagVariants {
  families: Record<string, string[]>;
}

/** Tags by canonical key: the tracked families in all their spellings, and two untracked tags. */
function tagSpellings(): Array<{ key: string; family?: string; spellings: string[] }> {
  const { families } = readSharedJson<HashtagVariants>('hashtag-variants.json');
  return [
    ...Object.entries(families).map(([family, spellings]) => ({ key: canonicalTag(spellings[0]!), family, spellings })),
    { key: canonicalTag('#almaty'), spellings: ['#almaty', '#Алматы', '#ALMATY'] },
    { key: canonicalTag('#astana'), spellings: ['#astana', '#Астана'] },
  ];
}

const PLATFORMS: Array<[Platform, number]> = [
  ['mastodon', 0.4],
  ['telegram', 0.25],
  ['bluesky', 0.2],
  ['vk', 0.15],
];

/** What the generator knows about a post, independently of the pipeline: the truth the metrics must match. */
export interface PostTruth {
  id: string;
  platform: Platform;
  lang: Lang;
  /** Canonical keys in the order they appear, and the tracked families among them. */
  tags: string[];
  families: string[];
  author: string | undefined;
  createdAt: string;
  collectedAt: string;
  text: string;
  /** For a comment on a followed thread: the key of the thread's tag when the comment does not carry it (docs/metrics.md#abuse). */
  threadTags?: string[];
}

/** One message for the raw topic, in production order; `post` is absent for garbage. */
export interface Delivery {
  key: string;
  value: string;
  post?: PostTruth;
}

export interface GeneratorOptions {
  seed: number;
  /** Messages in all: posts, copies of posts and garbage. */
  messages: number;
  /** Event time of the first post. */
  start: number;
  /** Event time advances this much per post. */
  stepMs: number;
  /**
   * Share of new posts that are VK comments on a recent tagged VK post, as a collector following its thread
   * delivers them: `replyTo` and `threadId` the post, `query` a spelling of the post's tag, mostly untagged.
   * Off by default (it changes the random stream).
   */
  comments?: number;
  /**
   * Share of new posts dated 1–100 days after they were collected (a wrong clock, a forged timestamp): they must
   * not make the posts after them late. Off by default (it changes the random stream).
   */
  aheadOfArrival?: number;
}

/**
 * A deterministic stream of raw messages shaped like a campaign: posts in several languages and scripts,
 * tags of the tracked families in every spelling the dataset lists, four platforms, a few thousand authors
 * of very unequal activity, event time mostly in order with some jitter; and, as fractions of the messages:
 * 4% copies of a recent post (another source, or the same source polling again), 1% posts 5–20 minutes
 * behind (late, but by less than half an hour), 1% posts 45–120 minutes behind, 0.1% garbage (not JSON),
 * 5% posts without tags. Copies are only ever of on-time posts, so whether a copy is a duplicate never
 * depends on how the partitions interleave.
 */
export function generateDeliveries(options: GeneratorOptions): Delivery[] {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const tags = tagSpellings();
  const langs = Object.keys(SENTENCES) as Array<keyof typeof SENTENCES>;
  const deliveries: Delivery[] = [];
  const recentOnTime: Array<{ envelope: RawEnvelope; post: PostTruth }> = [];
  /** Recent on-time tagged VK posts whose threads are followed: the post id and the tag that found it. */
  const threads: Array<{ platformId: string; query: string }> = [];
  let posts = 0;
  while (deliveries.length < options.messages) {
    const roll = random();
    if (roll < 0.001) {
      deliveries.push({ key: `garbage:${deliveries.length}`, value: `{"not json": ${deliveries.length}` });
      continue;
    }
    if (roll < 0.041 && recentOnTime.length > 0) {
      const { envelope, post } = pick(recentOnTime);
      const source = random() < 0.5 ? envelope.source : `import:${envelope.platform}-archive`;
      deliveries.push({ key: rawKey(envelope), value: JSON.stringify({ ...envelope, source }), post });
      continue;
    }
    const id = String(posts);
    const now = options.start + posts * options.stepMs;
    posts++;
    const behind = roll < 0.051 ? (5 + random() * 15) * 60_000 : roll < 0.061 ? (45 + random() * 75) * 60_000 : 0;
    const ahead = behind === 0 && options.aheadOfArrival !== undefined && random() < options.aheadOfArrival;
    const eventTime = ahead ? Math.round(now + (1 + random() * 99) * 86_400_000) : Math.round(now - behind + (random() * 120_000 - 90_000));
    const thread = options.comments && threads.length > 0 && random() < options.comments ? pick(threads) : undefined;
    const r = random();
    let acc = 0;
    const platform = thread ? 'vk' : (PLATFORMS.find(([, share]) => (acc += share) >= r)?.[0] ?? 'vk');
    const lang = pick(langs);
    const chosen = random() < (thread ? 0.8 : 0.05) ? [] : [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(tags)))];
    const text = [pick(SENTENCES[lang]), ...chosen.map((tag) => pick(tag.spellings))].join(' ');
    // Zipf-like activity: a few authors write much of the campaign.
    const author = random() < 0.01 ? undefined : `u${Math.floor(3000 * random() ** 3)}`;
    const collectedAt = new Date(now + 60_000).toISOString();
    const envelope: RawEnvelope = {
      schema: 'tagpulse.raw/1',
      source: `${platform}:collector`,
      platform,
      platformId: id,
      collectedAt,
      ...(thread ? { query: thread.query } : {}),
      item: {
        text,
        createdAt: new Date(eventTime).toISOString(),
        author: author === undefined ? {} : { id: author },
        tags: [],
        ...(thread ? { replyTo: { platformId: thread.platformId }, threadId: thread.platformId } : {}),
      },
      payload: { id },
    };
    const keys = chosen.map((tag) => tag.key);
    const threadKey = thread ? canonicalTag(thread.query) : undefined;
    const post: PostTruth = {
      id: rawKey(envelope),
      platform,
      lang,
      tags: keys,
      families: chosen.flatMap((tag) => (tag.family ? [tag.family] : [])).sort(),
      ...(threadKey !== undefined && !keys.includes(threadKey) ? { threadTags: [threadKey] } : {}),
      author,
      createdAt: envelope.item.createdAt,
      collectedAt,
      text,
    };
    deliveries.push({ key: post.id, value: JSON.stringify(envelope), post });
    if (behind === 0 && !ahead) {
      recentOnTime.push({ envelope, post });
      if (recentOnTime.length > 300) recentOnTime.shift();
      if (options.comments && platform === 'vk' && !thread && chosen.length > 0) {
        threads.push({ platformId: id, query: pick(chosen[0]!.spellings).replace(/^#/, '') });
        if (threads.length > 100) threads.shift();
      }
    }
  }
  return deliveries;
}
