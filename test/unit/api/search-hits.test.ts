import { describe, expect, it } from 'vitest';
import { searchHitRanges } from '../../../infra/store/search-hits.js';
import { seededRandom } from '../../support/random.js';

/** Characters that a structure scan could trip on, and letters of every script the posts are in. */
const TRICKY = ['"', '\\', '{', '}', '[', ']', ':', ',', '"hits":[', '\\"', '\\\\', 'қ', 'ы', 'ü', '😀', '\u200b', '\u202e', '\n', '\t', ' ', 'a'];

function trickyText(random: () => number): string {
  let text = '';
  const length = Math.floor(random() * 40);
  for (let i = 0; i < length; i++) text += TRICKY[Math.floor(random() * TRICKY.length)];
  return text;
}

function answer(sources: unknown[], pitFirst: boolean): Record<string, unknown> {
  const hits = { total: { value: sources.length, relation: 'eq' }, max_score: null, hits: sources.map((source, i) => ({ _index: 'posts', _id: `x:${i}`, _score: null, _source: source, sort: [i, `x:${i}`] })) };
  const base = { took: 3, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 } };
  return pitFirst ? { pit_id: 'p1', ...base, hits } : { ...base, hits, pit_id: 'p1' };
}

/** Each hit parsed from its range, and the rest parsed: together they must be the answer JSON.parse reads. */
function reassembled(bytes: Buffer): unknown {
  const { hits, rest } = searchHitRanges(bytes);
  const parsed = JSON.parse(rest) as { hits: { hits: unknown[] } };
  parsed.hits.hits = hits.map(([start, end]) => JSON.parse(bytes.toString('utf8', start, end)));
  return parsed;
}

describe('searchHitRanges: the hits of a search answer, found without parsing it', () => {
  it('finds every hit of answers whose texts hold quotes, escapes, brackets, "hits" keys and every script', () => {
    const random = seededRandom(5);
    for (let round = 0; round < 200; round++) {
      const sources = Array.from({ length: Math.floor(random() * 12) }, () => ({
        text: trickyText(random),
        tags: [trickyText(random)],
        hits: [{ nested: trickyText(random) }],
        engagement: { likes: Math.floor(random() * 100) },
      }));
      const value = answer(sources, round % 2 === 0);
      // Compact as the engines send it, and pretty-printed: whitespace between tokens is JSON too.
      for (const text of [JSON.stringify(value), JSON.stringify(value, null, round % 3)]) {
        expect(reassembled(Buffer.from(text))).toEqual(value);
      }
    }
  });

  it('gives no hits for an empty page and keeps the point-in-time id in the rest', () => {
    const { hits, rest } = searchHitRanges(Buffer.from(JSON.stringify(answer([], false))));
    expect(hits).toEqual([]);
    expect(JSON.parse(rest)).toMatchObject({ pit_id: 'p1', hits: { hits: [] } });
  });

  it("takes only the root hits object's hits array: not a suggester, an aggregation or a source field named hits", () => {
    const value = { suggest: { hits: [{ text: 'not these', options: [] }] }, aggregations: { hits: { buckets: [] } }, ...answer([{ hits: ['not', 'these'] }], true) };
    expect(reassembled(Buffer.from(JSON.stringify(value)))).toEqual(value);
  });

  it.each([
    ['a truncated answer', '{"took":1,"hits":{"hits":[{"_source":{"text":"cut'],
    ['an answer without hits', '{"took":1,"timed_out":false}'],
    ['an error body', '{"error":{"type":"search_phase_execution_exception"},"status":400}'],
  ])('refuses %s with a SyntaxError', (_, text) => {
    expect(() => searchHitRanges(Buffer.from(text))).toThrow(SyntaxError);
  });
});
