import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../infra/store/open.js';
import { canonicalTag } from '../../processors/normalise/canonical.js';
import { FAMILY_TAG_PREFIX } from '../../processors/metrics/volume.js';
import type { NormalisedPost, VolumeMetric } from '../../schemas/index.js';
import { runCli } from '../support/cli.js';
import { initialisedConfig } from '../support/config.js';
import { countDocuments, scanIndex } from '../support/pipeline.js';
import { TEST_PSEUDONYM_KEY } from '../support/processors.js';

const env = { TAGPULSE_PSEUDONYM_KEY: TEST_PSEUDONYM_KEY };
const POSTS = 300;
/** Spellings of two tracked families and one untracked tag, so volumes cover tags, families and pairs. */
const TAGS = ['#seruen', '#Серуен', '#менояндым', '#MenOyandym', '#almaty'];
const PLATFORMS = ['vk', 'telegram', 'generic'];

/** One researcher's export, in Tagpulse's generic columns: the same posts in JSONL and in CSV. */
function exportedPosts() {
  return Array.from({ length: POSTS }, (_, i) => ({
    id: `p${i}`,
    text: `Бүгін бірге шықтық ${TAGS[i % TAGS.length]} ${TAGS[(i * 7 + 3) % TAGS.length]}`,
    created_at: new Date(Date.UTC(2026, 2, 8, 10, 0, i * 2)).toISOString(),
    platform: PLATFORMS[i % PLATFORMS.length]!,
    author_id: `u${i % 40}`,
  }));
}

const csvField = (value: string) => `"${value.replaceAll('"', '""')}"`;

describe('importing the same file twice, through the processors', () => {
  it('adds nothing: the posts index and every volume stay as after the first import, whichever source repeats a post', async () => {
    const config = await initialisedConfig();
    const dir = mkdtempSync(join(tmpdir(), 'tagpulse-import-twice-'));
    const configFile = join(dir, 'tagpulse.config.json');
    writeFileSync(configFile, JSON.stringify(config));
    const posts = exportedPosts();
    const jsonl = join(dir, 'posts.jsonl');
    writeFileSync(jsonl, posts.map((p) => JSON.stringify(p)).join('\n'));
    const columns = ['id', 'text', 'created_at', 'platform', 'author_id'] as const;
    const csv = join(dir, 'posts.csv');
    writeFileSync(csv, [columns.join(','), ...posts.map((p) => columns.map((c) => csvField(p[c])).join(','))].join('\n'));

    const cli = async (...args: string[]) => {
      const result = await runCli([...args, '--config', configFile], { env });
      expect(result.code, result.stderr).toBe(0);
      return result.stdout;
    };
    const imported = async (format: string, file: string) => JSON.parse(await cli('import', '--format', format, '--json', file)) as { sent: number };
    const store = await openStore(config);
    try {
      const snapshot = async () => ({
        posts: await countDocuments(store, 'posts'),
        volume: await scanIndex<VolumeMetric>(store, 'metrics-volume'),
      });

      expect((await imported('generic-jsonl', jsonl)).sent).toBe(POSTS);
      expect(await cli('process', '--until-idle')).toMatch(new RegExp(`^metrics\\s+posts ${POSTS}\\s+counted ${POSTS}\\s+duplicates 0\\b`, 'm'));
      const first = await snapshot();
      expect(first.posts).toBe(POSTS);
      // The volumes are the export's own counts: every spelling under its key, each post once per family.
      const expected = new Map<string, number>();
      for (const post of posts) {
        const keys = new Set(TAGS.filter((tag) => post.text.includes(tag)).map(canonicalTag));
        for (const key of keys) expected.set(key, (expected.get(key) ?? 0) + 1);
      }
      expected.set(`${FAMILY_TAG_PREFIX}seruen`, posts.filter((p) => /#seruen|#Серуен/.test(p.text)).length);
      expected.set(`${FAMILY_TAG_PREFIX}menoiandym`, posts.filter((p) => /#менояндым|#MenOyandym/.test(p.text)).length);
      const volumeByTag = (volume: Map<string, VolumeMetric>) => {
        const sums = new Map<string, number>();
        for (const doc of volume.values()) sums.set(doc.tag, (sums.get(doc.tag) ?? 0) + doc.posts);
        return sums;
      };
      expect(volumeByTag(first.volume)).toEqual(expected);

      // The same file again (a second poll of one source) and the same posts as CSV (a second source).
      expect((await imported('generic-jsonl', jsonl)).sent).toBe(POSTS);
      expect((await imported('generic-csv', csv)).sent).toBe(POSTS);
      const summary = await cli('process', '--until-idle');
      expect(summary).toMatch(new RegExp(`^normalise\\s+messages ${2 * POSTS}\\s+posts ${2 * POSTS}\\s+repeatedCopies ${2 * POSTS}\\b`, 'm'));
      expect(summary).toMatch(new RegExp(`^metrics\\s+posts ${2 * POSTS}\\s+counted 0\\s+duplicates ${2 * POSTS}\\s+late 0\\b`, 'm'));

      const second = await snapshot();
      expect(second.posts).toBe(first.posts);
      expect(second.volume).toEqual(first.volume);
      // Each post remembers both sources that delivered it.
      const indexed = await scanIndex<NormalisedPost>(store, 'posts');
      expect(new Set([...indexed.values()].map((p) => p.sources.join(' ')))).toEqual(new Set(['import:generic-csv import:generic-jsonl']));
    } finally {
      await store.close();
    }
  });
});
