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
 * Tagged posts per canonical tag pair × platform × minute, counted in posts: for a post with tags T,
 * every pair a < b of T (`tagA`, `tagB`), every single tag as the pair (a, a) — the tag's own count n(a) — and
 * the pair (`*`, `*`) — N. All three come from the same posts in the same cells, so PMI, NPMI, lift and Jaccard
 * over any range of windows and platforms are sums of these documents (docs/metrics.md#co-occurrence).
 */
export const cooccurrenceMetric: WindowedMetric<CooccurrenceCell> = {
  name: 'cooccurrence',
  count(post, cellOf) {
    if (post.tags.length === 0) return;
    const { platform, windowStart } = post;
    const count = (tagA: string, tagB: string) => {
      cellOf(`${platform}|${tagA}|${tagB}`, () => ({ windowStart, tagA, tagB, platform, count: 0 })).count++;
    };
    count(ALL_TAGGED_POSTS, ALL_TAGGED_POSTS);
    const tags = [...post.tags].sort();
    for (let i = 0; i < tags.length; i++) {
      for (let j = i; j < tags.length; j++) count(tags[i]!, tags[j]!);
    }
  },
  document: (cell) => ({ schema: 'tagpulse.cooccurrence/1', ...cell }),
  save: (cell) => cell,
  load: (saved) => CooccurrenceState.parse(saved),
};
