import type { z } from 'zod';
import { AbuseMetric } from '../../schemas/index.js';
import type { WindowedMetric } from './metric.js';
import { wilsonInterval } from './wilson.js';

/** The counts a cell keeps; the share and its interval are derived from them when the document is made. */
const AbuseState = AbuseMetric.omit({ schema: true, shareTowardWomen: true, shareTowardWomenLow: true, shareTowardWomenHigh: true });
type AbuseCell = z.infer<typeof AbuseState>;

/** The window's share of posts abusive toward women, with its Wilson 95% score interval (a cell has posts ≥ 1). */
export function shareTowardWomen(cell: Pick<AbuseCell, 'posts' | 'abusiveTowardWomen'>): Pick<AbuseMetric, 'shareTowardWomen' | 'shareTowardWomenLow' | 'shareTowardWomenHigh'> {
  const interval = wilsonInterval(cell.abusiveTowardWomen, cell.posts)!;
  return { shareTowardWomen: cell.abusiveTowardWomen / cell.posts, shareTowardWomenLow: interval.low, shareTowardWomenHigh: interval.high };
}

/**
 * Classified posts per canonical tag × platform × classifier version × minute: all of them, the abusive ones,
 * those abusive toward women, and abusive ones per category; and the window's share toward women. The classifier
 * version is a dimension so a window never mixes the verdicts of two lexicons. A post counts under its own tags
 * and, when it is a comment or reply, the tags of the thread it answers (`threadTags`), each key once: abuse aimed
 * at an activist's post mostly arrives in untagged replies (docs/metrics.md#abuse).
 */
export const abuseMetric: WindowedMetric<AbuseCell> = {
  name: 'abuse',
  count(post, cellOf) {
    const { abuse, platform, windowStart } = post;
    if (abuse === undefined) return;
    const { classifierVersion } = abuse;
    const countUnder = (tag: string) => {
      const cell = cellOf(`${platform}|${classifierVersion}|${tag}`, () => ({
        windowStart,
        tag,
        platform,
        posts: 0,
        abusive: 0,
        abusiveTowardWomen: 0,
        categories: {},
        classifierVersion,
      }));
      cell.posts++;
      if (!abuse.abusive) return;
      cell.abusive++;
      if (abuse.towardWomen) cell.abusiveTowardWomen++;
      for (const category of abuse.categories) cell.categories[category] = (cell.categories[category] ?? 0) + 1;
    };
    for (const tag of post.tags) countUnder(tag);
    // The normaliser leaves a post's own keys out of its thread tags; a message written otherwise still counts once per key.
    for (const tag of post.threadTags) if (!post.tags.includes(tag)) countUnder(tag);
  },
  document: (cell) => ({ schema: 'tagpulse.abuse/1', ...cell, ...shareTowardWomen(cell) }),
  load: (saved) => AbuseState.parse(saved),
};
