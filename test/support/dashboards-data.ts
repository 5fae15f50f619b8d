import { wilsonInterval } from '../../api/measures.js';
import { canonicalTag } from '../../processors/normalise/canonical.js';
import type { SearchStore } from '../../infra/store/search-store.js';
import { AbuseMetric, CooccurrenceMetric, VolumeMetric, type Lang, type Platform } from '../../schemas/index.js';

/**
 * Metric documents for the dashboards' tests, written straight into an isolated config's metric indices (the
 * processors' own tests cover how they are computed): 14 days of March 2026 for three campaigns, three
 * platforms and three languages, a spike on 10 March for metoo, co-occurring tags and abuse counts per category.
 * Every document is validated by its schema first; the totals the charts must show are returned with them.
 */

export const SEED_FROM = Date.UTC(2026, 2, 1);
export const SEED_TO = Date.UTC(2026, 2, 15) - 1;
export const SEED_DAYS = 14;
export const SEED_FAMILIES = ['qazaqkoktemi', 'menoiandym', 'metoo'] as const;
export const SEED_PLATFORMS: Platform[] = ['mastodon', 'telegram', 'bluesky'];
export const SEED_LANGS: Lang[] = ['kk', 'ru', 'en'];
export const SPIKE_DAY = 9; // 10 March
export const SPIKE_FAMILY = 'metoo';
const PARTNERS = ['almaty', 'feminism', 'kazakhstan', 'zanamen'];
const CLASSIFIER = 'abuse-rules/1.1.0+dashboards-test';

export interface SeedTotals {
  /** Posts per family over the range. */
  posts: Record<string, number>;
  postsByPlatform: Record<string, Record<string, number>>;
  postsByLang: Record<string, Record<string, number>>;
  /** Posts per day per family (UTC days). */
  daily: Record<string, number[]>;
  /** Pair counts `key|partner`. */
  pairs: Record<string, number>;
  abuse: Record<string, { posts: number; abusive: number; towardWomen: number }>;
  abuseByPlatform: Record<string, { posts: number; towardWomen: number }>;
  categories: Record<string, number>;
}

const day = (d: number, minute = 0) => new Date(SEED_FROM + d * 86_400_000 + 12 * 3_600_000 + minute * 60_000).toISOString();

function dailyPosts(family: string, d: number, platform: number, lang: number): number {
  const base = 2 + ((d + platform + lang + family.length) % 3);
  return family === SPIKE_FAMILY && d === SPIKE_DAY ? base * 12 : base;
}

export async function seedDashboardData(store: SearchStore): Promise<SeedTotals> {
  const totals: SeedTotals = { posts: {}, postsByPlatform: {}, postsByLang: {}, daily: {}, pairs: {}, abuse: {}, abuseByPlatform: {}, categories: {} };
  const operations: Array<{ index: string; id: string; document: unknown }> = [];
  const add = (logical: string, id: string, document: unknown) => operations.push({ index: store.alias(logical), id, document });
  const bump = (record: Record<string, number>, key: string, by: number) => (record[key] = (record[key] ?? 0) + by);

  for (const family of SEED_FAMILIES) {
    const key = canonicalTag(family);
    totals.daily[family] = new Array(SEED_DAYS).fill(0);
    totals.postsByPlatform[family] = {};
    totals.postsByLang[family] = {};
    totals.abuse[family] = { posts: 0, abusive: 0, towardWomen: 0 };
    for (let d = 0; d < SEED_DAYS; d++) {
      SEED_PLATFORMS.forEach((platform, p) => {
        let platformPosts = 0;
        SEED_LANGS.forEach((lang, l) => {
          const posts = dailyPosts(family, d, p, l);
          platformPosts += posts;
          for (const tag of [`family:${family}`, key]) {
            const doc = VolumeMetric.parse({ schema: 'tagpulse.volume/1', windowStart: day(d, p), tag, platform, lang, posts, authors: posts });
            add('metrics-volume', `${tag}|${platform}|${lang}|${d}`, doc);
          }
          bump(totals.posts, family, posts);
          totals.daily[family]![d]! += posts;
          bump(totals.postsByPlatform[family]!, platform, posts);
          bump(totals.postsByLang[family]!, lang, posts);
        });
        // Co-occurrence: the key's own count, N, and pairs with partners (stored ordered tagA < tagB).
        const cell = (tagA: string, tagB: string, count: number) => {
          const [a, b] = tagA <= tagB ? [tagA, tagB] : [tagB, tagA];
          add('metrics-cooccurrence', `${a}|${b}|${platform}|${d}`, CooccurrenceMetric.parse({ schema: 'tagpulse.cooccurrence/1', windowStart: day(d, p), tagA: a, tagB: b, platform, count }));
        };
        cell(key, key, platformPosts);
        PARTNERS.forEach((partner, i) => {
          const count = 1 + ((d + i + key.length) % (i + 2));
          cell(key, partner, count);
          bump(totals.pairs, `${key}|${partner}`, count);
        });
        // Abuse: a fifth of the posts abusive, most of them toward women.
        const abusive = Math.floor(platformPosts / 5) + (family === SPIKE_FAMILY ? 2 : 0);
        const towardWomen = Math.max(0, abusive - ((d + p) % 2));
        const categories = { sexual_slur: Math.ceil(abusive / 2), threat: d % 3 === 0 ? 1 : 0, intellect: abusive - Math.ceil(abusive / 2) };
        add(
          'metrics-abuse',
          `${key}|${platform}|${d}`,
          AbuseMetric.parse({
            schema: 'tagpulse.abuse/1',
            windowStart: day(d, p),
            tag: key,
            platform,
            posts: platformPosts,
            abusive,
            abusiveTowardWomen: towardWomen,
            categories,
            classifierVersion: CLASSIFIER,
            // The window's own share (the charts never add these up; they sum the counts).
            shareTowardWomen: towardWomen / platformPosts,
            shareTowardWomenLow: wilsonInterval(towardWomen, platformPosts)!.low,
            shareTowardWomenHigh: wilsonInterval(towardWomen, platformPosts)!.high,
          }),
        );
        const a = totals.abuse[family]!;
        a.posts += platformPosts;
        a.abusive += abusive;
        a.towardWomen += towardWomen;
        const byPlatform = (totals.abuseByPlatform[platform] ??= { posts: 0, towardWomen: 0 });
        byPlatform.posts += platformPosts;
        byPlatform.towardWomen += towardWomen;
        for (const [category, n] of Object.entries(categories)) bump(totals.categories, category, n);
      });
    }
  }
  // N for every window: not a pair of any tracked key, so no chart may show it.
  for (let d = 0; d < SEED_DAYS; d++) {
    add('metrics-cooccurrence', `*|*|mastodon|${d}`, CooccurrenceMetric.parse({ schema: 'tagpulse.cooccurrence/1', windowStart: day(d), tagA: '*', tagB: '*', platform: 'mastodon', count: 500 }));
  }
  const result = await store.bulk(operations);
  if (result.failed.length > 0) throw new Error(`seeding failed: ${JSON.stringify(result.failed.slice(0, 3))}`);
  for (const logical of ['metrics-volume', 'metrics-cooccurrence', 'metrics-abuse']) await store.refresh(store.alias(logical));
  return totals;
}
