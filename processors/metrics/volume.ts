import { z } from 'zod';
import { VolumeMetric } from '../../schemas/index.js';
import type { WindowedMetric } from './metric.js';

/** Family cells share the `tag` field with canonical keys; the prefix keeps them apart (keys have no ':'). */
export const FAMILY_TAG_PREFIX = 'family:';

const VolumeState = VolumeMetric.omit({ schema: true, authors: true }).extend({ authors: z.array(z.string()) });

interface VolumeCell extends Omit<VolumeMetric, 'schema' | 'authors'> {
  /** Distinct author pseudonyms: kept whole so the count stays exact while the window is open. */
  authors: Set<string>;
}

/**
 * Posts per canonical tag × platform × language × minute, with distinct authors; and the same per tracked
 * family (`tag: "family:<name>"`), where a post carrying several spellings or aliases of a family counts once.
 */
export const volumeMetric: WindowedMetric<VolumeCell> = {
  name: 'volume',
  count(post, cellOf) {
    const { platform, lang, windowStart, author } = post;
    const count = (tag: string) => {
      const cell = cellOf(`${platform}|${lang}|${tag}`, () => ({ windowStart, tag, platform, lang, posts: 0, authors: new Set() }));
      cell.posts++;
      if (author !== undefined) cell.authors.add(author);
    };
    for (const tag of post.tags) count(tag);
    for (const family of post.families) count(`${FAMILY_TAG_PREFIX}${family}`);
  },
  document: ({ authors, ...cell }) => ({ schema: 'tagpulse.volume/1', ...cell, authors: authors.size }),
  load(saved) {
    const state = VolumeState.parse(saved);
    return { ...state, authors: new Set(state.authors) };
  },
};
