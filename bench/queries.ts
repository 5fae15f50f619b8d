import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { queryContext } from '../api/queries/context.js';
import { trends } from '../api/queries/trends.js';
import { PACKAGE_ROOT } from '../infra/local/paths.js';
import { openStore } from '../infra/store/open.js';
import type { SearchStore } from '../infra/store/search-store.js';
import { canonicalTag } from '../processors/normalise/canonical.js';
import { TrendsParams, type NormalisedPost, type TagpulseConfig, type VolumeMetric } from '../schemas/index.js';
import { seededRandom } from '../test/support/random.js';
import { PEAK_RSS_PROBE, peakRssMb } from '../test/support/peak-rss.js';
import { freshConfig, percentile } from './pipeline.js';

/** Bulk-indexes documents (id, JSON) into an alias, a few MB a request, then refreshes. */
async function bulkLoad(store: SearchStore, node: string, index: string, documents: Iterable<[string, string]>): Promise<number> {
  const url = new URL(`/${index}/_bulk`, node);
  let body: string[] = [];
  let bytes = 0;
  let count = 0;
  const flush = async () => {
    if (body.length === 0) return;
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: body.join('') });
    const answer = (await response.json()) as { errors: boolean; items: Array<{ index: { error?: unknown } }> };
    if (!response.ok || answer.errors) throw new Error(`bulk load into ${index} failed: ${JSON.stringify(answer.items?.find((it) => it.index.error) ?? answer)}`);
    body = [];
    bytes = 0;
  };
  for (const [id, source] of documents) {
    const line = `{"index":{"_id":${JSON.stringify(id)}}}\n${source}\n`;
    body.push(line);
    bytes += line.length;
    count++;
    if (bytes > 4 * 1024 * 1024) await flush();
  }
  await flush();
  await store.refresh(index);
  return count;
}

const DAY_MS = 86_400_000;
const TREND_TAGS = ['qazaqkoktemi', 'menoiandym', 'seruen', 'otpravdyneubezhish', 'metoo', 'aielun', 'kazakhstan', 'almaty'].map((t) => canonicalTag(t));

export interface TrendsBench {
  /** Posts the seeded volume documents count. */
  posts: number;
  volumeDocuments: number;
  days: number;
  queries: number;
  p50Ms: number;
  p95Ms: number;
  /** The target of issue 7: p95 ≤ 200 ms. */
  targetP95Ms: number;
  ratio: number;
}

/**
 * The API's trends query (api/queries/trends.ts `trends`, as `GET /api/trends` runs it) over volume documents
 * that count `posts` posts: 30 days of one-minute windows × 8 tags × 2 platforms × 2 languages. Each query asks
 * for 1–3 tags over a random 7–30-day range by hour or day, so the engine's request cache rarely answers.
 */
export async function benchTrends(base: TagpulseConfig, posts = 10_000_000, queries = 200): Promise<TrendsBench> {
  const config = await freshConfig(base, 'trends');
  const store = await openStore(config);
  try {
    const end = Date.UTC(2026, 2, 31);
    const days = 30;
    const platforms = ['x', 'telegram'] as const;
    const langs = ['kk', 'ru'] as const;
    const cellsPerMinute = TREND_TAGS.length * platforms.length * langs.length;
    const windows = days * 1440;
    const documents = windows * cellsPerMinute;
    const mean = posts / documents;
    const random = seededRandom(7);
    let counted = 0;
    function* volumeDocs(): Generator<[string, string]> {
      let i = 0;
      for (let w = 0; w < windows; w++) {
        const windowStart = new Date(end - days * DAY_MS + w * 60_000).toISOString();
        for (const tag of TREND_TAGS) {
          for (const platform of platforms) {
            for (const lang of langs) {
              // Counts spread around the mean; the last document makes the total exact.
              const n = ++i === documents ? posts - counted : Math.max(0, Math.round(mean * 2 * random()));
              counted += n;
              const doc: VolumeMetric = { schema: 'tagpulse.volume/1', windowStart, tag, platform, lang, posts: n, authors: Math.ceil(n / 2) };
              yield [`volume|${windowStart}|${platform}|${lang}|${tag}`, JSON.stringify(doc)];
            }
          }
        }
      }
    }
    const loaded = await bulkLoad(store, config.search.node, store.alias('metrics-volume'), volumeDocs());
    const context = queryContext(store, config, 'all', () => end);
    const ask = () => {
      const picked = TREND_TAGS.filter(() => random() < 0.25).slice(0, 3);
      const from = end - Math.round((7 + 23 * random()) * DAY_MS);
      return TrendsParams.parse({
        tag: picked.length > 0 ? picked : [TREND_TAGS[0]!],
        from: new Date(from).toISOString(),
        to: new Date(end).toISOString(),
        interval: random() < 0.5 ? 'hour' : 'day',
      });
    };
    for (let i = 0; i < 20; i++) await trends(context, ask()); // warm-up: JIT, engine caches of the mapping
    const times: number[] = [];
    for (let i = 0; i < queries; i++) {
      const params = ask();
      const started = performance.now();
      await trends(context, params);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const p95Ms = percentile(times, 0.95);
    return { posts: counted, volumeDocuments: loaded, days, queries, p50Ms: percentile(times, 0.5), p95Ms, targetP95Ms: 200, ratio: Number((p95Ms / 200).toFixed(3)) };
  } finally {
    await store.close();
  }
}

export interface ExportBench {
  rows: number;
  /** `tagpulse export posts --out FILE` as a child process: rows over the export's own time. */
  rowsPerSecond: number;
  targetRowsPerSecond: number;
  ratio: number;
  /** The child's peak resident set since it started (the kernel's VmHWM at exit, test/support/peak-rss.ts). */
  peakRssMB: number;
  targetPeakRssMB: number;
  rssRatio: number;
  fileMB: number;
}

const SENTENCES = [
  'Бүгін Алматыда бейбіт серуен өтті, "үнсіздік" бітті',
  'Сегодня в Астане прошёл мирный марш, женщины говорят',
  'Women of Kazakhstan are speaking up, and we listen',
  'Мен ояндым және енді үндемей отыра алмаймын',
];

/**
 * CSV export of the posts index by the CLI, in a child process whose peak RSS is read from the kernel at exit
 * (a preloaded module writes its VmHWM), over `rows` posts bulk-loaded beforehand.
 */
export async function benchExport(base: TagpulseConfig, rows = 200_000): Promise<ExportBench> {
  const config = await freshConfig(base, 'export');
  const store = await openStore(config);
  const dir = mkdtempSync(join(tmpdir(), 'tagpulse-bench-export-'));
  try {
    const random = seededRandom(11);
    const start = Date.UTC(2026, 2, 1);
    function* postDocs(): Generator<[string, string]> {
      for (let i = 0; i < rows; i++) {
        const tags = [TREND_TAGS[i % TREND_TAGS.length]!, TREND_TAGS[(i * 7) % TREND_TAGS.length]!];
        const createdAt = new Date(start + i * 1000).toISOString();
        const post: NormalisedPost = {
          schema: 'tagpulse.post/1',
          id: `x:${1_800_000_000_000_000_000n + BigInt(i)}`,
          platform: 'x',
          platformId: String(1_800_000_000_000_000_000n + BigInt(i)),
          sources: ['bench'],
          createdAt,
          collectedAt: createdAt,
          text: `${SENTENCES[i % SENTENCES.length]} ${tags.map((t) => `#${t}`).join(' ')}`,
          lang: (['kk', 'ru', 'en', 'kk'] as const)[i % 4]!,
          tags: [...new Set(tags)],
          tagsAsWritten: [...new Set(tags)],
          families: [],
          author: { id: `h1:${(Math.floor(random() * 5000)).toString(16).padStart(64, '0')}` },
          url: `https://x.com/i/status/${1_800_000_000_000_000_000n + BigInt(i)}`,
          engagement: { likes: Math.floor(random() * 100), shares: Math.floor(random() * 10) },
        };
        yield [post.id, JSON.stringify(post)];
      }
    }
    await bulkLoad(store, config.search.node, store.alias('posts'), postDocs());
    const configFile = join(dir, 'tagpulse.config.json');
    writeFileSync(configFile, JSON.stringify(config));
    const out = join(dir, 'posts.csv');
    const cli = fileURLToPath(new URL('bin/tagpulse.js', `file://${PACKAGE_ROOT}/`));
    const stderr = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', PEAK_RSS_PROBE, cli, 'export', 'posts', '--out', out, '--config', configFile], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, TAGPULSE_LOG_LEVEL: 'warn' },
      });
      let text = '';
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`tagpulse export exited ${code}: ${text.slice(-800)}`))));
    });
    const done = stderr.match(/export posts: ([\d,]+) rows to .* in ([\d.]+) s/);
    if (!done) throw new Error(`tagpulse export printed no summary: ${stderr.slice(-500)}`);
    const exported = Number(done[1]!.replaceAll(',', ''));
    if (exported !== rows) throw new Error(`tagpulse export wrote ${exported} rows of ${rows}`);
    const rowsPerSecond = exported / Number(done[2]);
    const peakRssMB = peakRssMb(stderr);
    return {
      rows: exported,
      rowsPerSecond: Math.round(rowsPerSecond),
      targetRowsPerSecond: 50_000,
      ratio: Number((rowsPerSecond / 50_000).toFixed(3)),
      peakRssMB: Math.round(peakRssMB),
      targetPeakRssMB: 200,
      rssRatio: Number((peakRssMB / 200).toFixed(3)),
      fileMB: Math.round(readFileSync(out).length / 2 ** 20),
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
