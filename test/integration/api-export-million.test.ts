import { spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TagpulseConfig } from '../../schemas/index.js';
import { configFile } from '../support/api.js';
import { CLI } from '../support/cli.js';
import { PEAK_RSS_PROBE, peakRssMb } from '../support/peak-rss.js';
import { isolatedConfig } from '../support/config.js';

const ROWS = 1_000_000;
/** What the export may hold at its peak, whatever the number of rows (the benchmark's limit too). */
const PEAK_RSS_LIMIT_MB = 200;
const START = Date.parse('2024-03-08T00:00:00Z');
const TEXT = 'Мен ояндым: әйелдер құқығы үшін бүгін алаңда болдық, "бірге" — и мы не будем молчать, =SUM(A1) не формула. #менояндым';

const post = (i: number) => ({
  id: `telegram:${String(i).padStart(7, '0')}`,
  platform: 'telegram',
  createdAt: new Date(START + i * 1000).toISOString(),
  lang: 'kk',
  text: TEXT,
  tags: ['menoiandim'],
  tagsAsWritten: ['#менояндым'],
  families: ['menoiandym'],
  author: { id: `h1:${(i % 5000).toString(16).padStart(8, '0')}` },
});

/**
 * A million small posts straight into an isolated posts index with bulk requests, two in flight (two cores):
 * only the fields an export sorts by are indexed, nothing is refreshed until the end, so seeding takes seconds
 * rather than the pipeline's minutes. The export reads `_source`, which is the same as for processed posts.
 */
async function seed(config: TagpulseConfig): Promise<void> {
  const node = config.search.node;
  const index = `${config.search.indexPrefix}-posts-v1`;
  const request = async (method: string, path: string, body: string, type = 'application/json') => {
    const response = await fetch(`${node}${path}`, { method, headers: { 'content-type': type }, body });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
    return text;
  };
  await request(
    'PUT',
    `/${index}`,
    JSON.stringify({
      settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: -1, 'translog.durability': 'async' },
      mappings: { dynamic: false, properties: { id: { type: 'keyword' }, createdAt: { type: 'date' } } },
      aliases: { [`${config.search.indexPrefix}-posts`]: {} },
    }),
  );
  const BATCH = 20_000;
  const batch = async (from: number) => {
    let body = '';
    for (let i = from; i < Math.min(ROWS, from + BATCH); i++) body += `{"index":{"_id":"${i}"}}\n${JSON.stringify(post(i))}\n`;
    // A busy node rejects some items (429); ids make sending the batch again harmless.
    for (let attempt = 1; (JSON.parse(await request('POST', `/${index}/_bulk?filter_path=errors`, body, 'application/x-ndjson')) as { errors: boolean }).errors; attempt++) {
      if (attempt === 5) throw new Error(`bulk of rows ${from}-${from + BATCH} still failing after ${attempt} attempts`);
    }
  };
  let next = 0;
  const worker = async () => {
    while (next < ROWS) {
      const from = next;
      next += BATCH;
      await batch(from);
    }
  };
  await Promise.all([worker(), worker()]);
  await request('POST', `/${index}/_refresh`, '');
}

/** Runs the CLI as an operator would and reports the child's own peak resident set size. */
function exportWithPeakRss(args: string[]): Promise<{ code: number | null; stderr: string; peakRssMb: number; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', PEAK_RSS_PROBE, CLI, ...args], { env: { ...process.env, TAGPULSE_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, peakRssMb: peakRssMb(stderr), seconds: (Date.now() - started) / 1000 }));
  });
}

describe('a post export of a million rows', () => {
  let config: TagpulseConfig;
  const folder = mkdtempSync(join(tmpdir(), 'tagpulse-million-'));

  beforeAll(async () => {
    config = isolatedConfig();
    await seed(config);
  });

  // The export is 300 MB: not something to leave in the temporary folder run after run.
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('streams every row, in order, as RFC 4180 CSV, with bounded memory', async () => {
    const out = join(folder, 'posts.csv');
    const run = await exportWithPeakRss(['export', 'posts', '--out', out, '--bom', '--config', configFile(config)]);
    expect(run.code, run.stderr).toBe(0);
    const bytes = statSync(out).size;
    console.log(`export of ${ROWS} rows: ${run.seconds.toFixed(1)} s (${Math.round(ROWS / run.seconds)} rows/s), ${(bytes / 2 ** 20).toFixed(0)} MiB, peak RSS ${run.peakRssMb.toFixed(0)} MiB`);
    expect(run.stderr).toMatch(new RegExp(`export posts: 1,000,000 rows to ${out}`));
    // The file is larger than the process ever was, code and all: rows went out as they came in.
    expect(run.peakRssMb).toBeLessThan(PEAK_RSS_LIMIT_MB);
    expect(bytes / 2 ** 20).toBeGreaterThan(run.peakRssMb);

    let lines = 0;
    let previous = '';
    let header = '';
    // Each record is one line: the text has no line break, and a quoted field keeps its commas.
    for await (const line of createInterface({ input: createReadStream(out, 'utf8'), crlfDelay: Infinity })) {
      if (lines++ === 0) {
        header = line;
        continue;
      }
      const id = line.slice(0, line.indexOf(','));
      if (id <= previous) throw new Error(`row ${lines}: ${id} after ${previous}`);
      previous = id;
      if (lines === 2) expect(line).toContain(`,"Мен ояндым: әйелдер құқығы үшін бүгін алаңда болдық, ""бірге"" — и мы не будем молчать, =SUM(A1) не формула. #менояндым",`);
    }
    expect(header.startsWith('\uFEFFid,platform,created_at,lang,text,')).toBe(true);
    expect(lines).toBe(ROWS + 1);
    expect(previous).toBe(post(ROWS - 1).id);
    // Half a minute on a quiet two-core machine; the limit leaves room for one shared with other work.
  }, 300_000);
});
