import { CooccurrenceMetric } from '../../schemas/index.js';
import type { WindowedMetric } from './metric.js';

/**
 * The pair (`*`, `*`) counts every tagged post: N, the population the association measures divide by.
 * No canonical key can be `*` (keys are letters and digits only).
 */
export const ALL_TAGGED_POSTS = '*';

const CooccurrenceState = CooccurrenceMetric.omit({ schema: true });
type CooccurrenceCell = Omit<CooccurrenceMetric, 'schema'>;

/**
 * The most tags of one post that co-occurrence pairs: its first 50 distinct canonical keys in order of
 * appearance. Pairs grow with the square of the tags (k(k−1)/2 cells): 50 tags make 1,275 pairs, 10,000 tags
 * (spam, or a hostile post) 50 million, which would run the stage out of memory and stall it on that post after
 * every restart. Real campaign posts carry well under 30 tags (Instagram allows 30); 50 leaves room for every
 * honest post while keeping one post's cells bounded. `processing.cooccurrenceMaxTags` changes it.
 */
export const DEFAULT_COOCCURRENCE_MAX_TAGS = 50;

/** The tags of a post that co-occurrence counts: the first `maxTags` (the post's tags are distinct, in order of appearance). */
export function cooccurrenceTags(tags: readonly string[], maxTags: number): readonly string[] {
  return tags.length > maxTags ? tags.slice(0, maxTags) : tags;
}

/**
 * Tagged posts per canonical tag pair × platform × minute, counted in posts: for a post with tags T (its first
 * `maxTags` keys, see DEFAULT_COOCCURRENCE_MAX_TAGS), every pair a < b of T (`tagA`, `tagB`), every single tag as
 * the pair (a, a) — the tag's own count n(a) — and the pair (`*`, `*`) — N. All three come from the same posts in
 * the same cells, so PMI, NPMI, lift and Jaccard over any range of windows and platforms are sums of these
 * documents (docs/metrics.md#co-occurrence). A post over the cap is reported by `capped` (the stage counts it).
 */
export function createCooccurrenceMetric(maxTags: number = DEFAULT_COOCCURRENCE_MAX_TAGS): WindowedMetric<CooccurrenceCell> {
  if (!Number.isInteger(maxTags) || maxTags < 1) throw new RangeError(`cooccurrence maxTags must be a positive integer, not ${maxTags}`);
  return {
    name: 'cooccurrence',
    count(post, cellOf) {
      if (post.tags.length === 0) return;
      const { platform, windowStart } = post;
      const count = (tagA: string, tagB: string) => {
        cellOf(`${platform}|${tagA}|${tagB}`, () => ({ windowStart, tagA, tagB, platform, count: 0 })).count++;
      };
      count(ALL_TAGGED_POSTS, ALL_TAGGED_POSTS);
      const tags = [...cooccurrenceTags(post.tags, maxTags)].sort();
      for (let i = 0; i < tags.length; i++) {
        for (let j = i; j < tags.length; j++) count(tags[i]!, tags[j]!);
      }
    },
    capped: (post) => post.tags.length > maxTags,
    document: (cell) => ({ schema: 'tagpulse.cooccurrence/1', ...cell }),
    load: (saved) => CooccurrenceState.parse(saved),
  };
}
