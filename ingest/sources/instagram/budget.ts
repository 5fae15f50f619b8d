import { z } from 'zod';
import type { Logger } from '../../../infra/log.js';
import type { Clock } from '../../framework/clock.js';
import { LimitReachedError, type StatePart } from '../../framework/source.js';

/** Instagram's limit: 30 unique hashtags per account within a rolling seven days. */
export const HASHTAGS_PER_WEEK = 30;
const WEEK_MS = 7 * 86_400_000;
/** The log warns once this many of the week's hashtags are in use, before the limit stops a new one. */
export const HASHTAG_WARNING_AT = 25;

export const HashtagUse = z.object({
  /** The hashtag's node id from ig_hashtag_search (stable, so it is searched once). */
  id: z.string().optional(),
  /** Epoch ms of the last query of the hashtag: it counts against the limit for seven days from then. */
  queriedAt: z.number().int(),
});
export const HashtagUses = z.record(z.string(), HashtagUse);
export type HashtagUses = z.infer<typeof HashtagUses>;

/**
 * The hashtags an account queried within the last seven days, kept in the source's state so restarts do not
 * forget them. A hashtag already counted can be queried again freely; a new one needs a free place among 30,
 * and is refused (a `LimitReachedError` naming when the next place frees) rather than sent for Instagram to refuse.
 */
export class HashtagBudget implements StatePart<HashtagUses> {
  private uses: HashtagUses = {};
  private warned = false;

  constructor(private readonly options: { clock: Clock; log: Logger; limit?: number; warnAt?: number }) {}

  /** Records a query of `tag` now, or throws when it would be a 31st hashtag of the week. */
  use(tag: string): void {
    const now = this.options.clock.now();
    const limit = this.options.limit ?? HASHTAGS_PER_WEEK;
    const inUse = Object.entries(this.uses).filter(([, use]) => use.queriedAt > now - WEEK_MS);
    const counted = inUse.some(([name]) => name === tag);
    if (!counted && inUse.length >= limit) {
      const frees = Math.min(...inUse.map(([, use]) => use.queriedAt)) + WEEK_MS;
      throw new LimitReachedError(
        `Instagram's ${limit} hashtags per 7 days are in use (${inUse.map(([name]) => name).sort().join(', ')}); #${tag} can be queried from ${new Date(frees).toISOString()}`,
      );
    }
    this.uses[tag] = { ...this.uses[tag], queriedAt: now };
    const used = inUse.length + (counted ? 0 : 1);
    if (used >= (this.options.warnAt ?? HASHTAG_WARNING_AT) && !this.warned) {
      this.warned = true;
      this.options.log.warn('Instagram hashtag budget nearly spent: a new hashtag will be refused once 30 are in use within 7 days', { used, limit });
    }
  }

  hashtagId(tag: string): string | undefined {
    return this.uses[tag]?.id;
  }

  rememberId(tag: string, id: string): void {
    this.uses[tag] = { queriedAt: this.uses[tag]?.queriedAt ?? this.options.clock.now(), id };
  }

  restore(stored: HashtagUses | undefined): void {
    this.uses = { ...stored };
    this.warned = false;
  }

  snapshot(): HashtagUses {
    const since = this.options.clock.now() - WEEK_MS;
    // Expired uses are kept only for their ids.
    return Object.fromEntries(Object.entries(this.uses).filter(([, use]) => use.queriedAt > since || use.id !== undefined));
  }
}
