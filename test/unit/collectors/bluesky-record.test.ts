import { describe, expect, it } from 'vitest';
import { facetText, matchingTags, postHashtags } from '../../../ingest/sources/bluesky/record.js';
import type { PostRecord } from '../../../ingest/sources/bluesky/schema.js';

/** Facet byte offsets of `part` in `text`, the way a Bluesky client computes them. */
function byteRange(text: string, part: string) {
  const start = Buffer.byteLength(text.slice(0, text.indexOf(part)), 'utf8');
  return { byteStart: start, byteEnd: start + Buffer.byteLength(part, 'utf8') };
}

const tagFacet = (text: string, shown: string, tag: string) => ({
  index: byteRange(text, shown),
  features: [{ $type: 'app.bsky.richtext.facet#tag', tag }],
});

describe('Bluesky facets', () => {
  const text = 'Әйелдер 🌷 шеруге шықты #МенОяндым және #seruen';

  it('slices facet ranges as UTF-8 bytes, which JS string indices would get wrong after Cyrillic and emoji', () => {
    const range = byteRange(text, '#МенОяндым');
    expect(facetText(text, range)).toBe('#МенОяндым');
    expect(text.slice(range.byteStart, range.byteEnd)).not.toBe('#МенОяндым');
  });

  it('refuses ranges outside the text or through the middle of a character', () => {
    expect(facetText(text, { byteStart: 0, byteEnd: 10_000 })).toBeUndefined();
    expect(facetText('ә', { byteStart: 0, byteEnd: 1 })).toBeUndefined();
  });

  it('collects tags from tag facets, the text they cover, and the hidden record tags', () => {
    const record: PostRecord = {
      text,
      createdAt: '2026-03-08T10:00:00.000Z',
      facets: [
        tagFacet(text, '#МенОяндым', 'менояндым'),
        tagFacet(text, '#seruen', 'seruen'),
        { index: byteRange(text, 'шеруге'), features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://x.example' }] },
      ],
      tags: ['qazaqkoktemi'],
    };
    expect(postHashtags(record).sort()).toEqual(['qazaqkoktemi', 'seruen', 'менояндым', 'МенОяндым'].sort());
    expect(matchingTags(record, ['metoo', 'менояндым', 'qazaqkoktemi'])).toEqual(['менояндым', 'qazaqkoktemi']);
    expect(matchingTags({ text: 'менояндым without a tag', createdAt: record.createdAt }, ['менояндым'])).toEqual([]);
  });
});
