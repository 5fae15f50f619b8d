import type { LateDataMetric } from '../../schemas/index.js';
import type { CountedPost } from './metric.js';

/**
 * The late-data record of one post that arrived after its window had closed: one document per post id
 * (`late|<post id>`, `posts: 1`), in the post's own window. Being per post, it needs no state, is the same
 * whichever batch or replay writes it, and counts a late post delivered twice once; summed over windows,
 * platforms and tags it says how many posts each volume is missing (docs/metrics.md#late-data).
 */
export function lateDocument(post: CountedPost, collectedAt: string): { id: string; document: LateDataMetric } {
  return {
    id: `late|${post.id}`,
    document: {
      schema: 'tagpulse.late/1',
      windowStart: post.windowStart,
      platform: post.platform,
      tags: [...post.tags],
      posts: 1,
      updatedAt: collectedAt,
    },
  };
}
