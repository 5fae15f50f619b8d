import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryContext } from '../../api/queries/context.js';
import { runReport, scheduleReports, type Scheduler } from '../../api/reports.js';
import { topicNames } from '../../infra/kafka/topics.js';
import { openStore } from '../../infra/store/open.js';
import type { SearchStore } from '../../infra/store/search-store.js';
import { classify } from '../../processors/abuse/classify.js';
import { canonicalTag } from '../../processors/normalise/canonical.js';
import { runProcessors } from '../../processors/run.js';
import { STAGE_NAMES } from '../../processors/topology.js';
import { ReportConfig, type AbuseAnswer, type CooccurrenceAnswer, type SearchAnswer, type TagpulseConfig, type TrendsAnswer } from '../../schemas/index.js';
import { apiGet, bucketOf, configFile, csvObjects, startApi, TEST_KEYS, wilson95, type RunningApi } from '../support/api.js';
import { runCli } from '../support/cli.js';
import { initialisedConfig } from '../support/config.js';
import { generateDeliveries, type PostTruth } from '../support/generated-posts.js';
import { produce } from '../support/pipeline.js';
import { TEST_PSEUDONYM_KEY } from '../support/processors.js';

const env = { TAGPULSE_PSEUDONYM_KEY: TEST_PSEUDONYM_KEY };
const TZ = 'Asia/Almaty';
// Asia/Almaty moved from UTC+6 to UTC+5 at 2024-03-01 00:00 local (the clock went back to 23:00 on 29 February):
// the posts span that change, so a day is 25 hours long and an hour happens twice.
const START = Date.UTC(2024, 0, 20);
const RANGE = { from: '2024-01-20', to: '2024-04-15', tz: TZ };
const INTERVALS = ['hour', 'day', 'week', 'month'] as const;

const MENOIANDYM = '#МенОяндым';
const menoiandym = canonicalTag(MENOIANDYM);
const koktemi = canonicalTag('#qazaqkoktemi');

describe('the query API, CLI and CSV exports on processed posts', () => {
  let config: TagpulseConfig;
  let cliConfig: string;
  let api: RunningApi;
  let store: SearchStore;
  /** Each post once, as the processors count it (copies dropped; the generator makes none late with 7 days' lateness). */
  let posts: PostTruth[];

  beforeAll(async () => {
    config = await initialisedConfig();
    const deliveries = generateDeliveries({ seed: 7, messages: 3_000, start: START, stepMs: 40 * 60_000 });
    await produce(config, topicNames(config.kafka.topicPrefix).raw, deliveries);
    await runProcessors(config, { stages: STAGE_NAMES, untilIdle: true, env });
    store = await openStore(config);
    for (const logical of ['posts', 'metrics-volume', 'metrics-cooccurrence', 'metrics-abuse', 'metrics-late']) await store.refresh(store.alias(logical));
    const unique = new Map<string, PostTruth>();
    for (const { post } of deliveries) if (post && !unique.has(post.id)) unique.set(post.id, post);
    posts = [...unique.values()];
    api = await startApi(config);
    cliConfig = configFile(config);
  });

  afterAll(async () => {
    await api?.close();
    await store?.close();
  });

  const get = async <T>(path: string, params: Record<string, string | number | boolean | string[]>, key?: string): Promise<T> => {
    const response = await apiGet(api.base, path, params, key);
    const body = await response.text();
    expect(response.status, body).toBe(200);
    return JSON.parse(body) as T;
  };

  const cli = async (args: string[]): Promise<string> => {
    const result = await runCli([...args, '--config', cliConfig], { env });
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  };

  /** Posts in the range as the answers read it: 2024-01-20 00:00 to 2024-04-16 00:00 in Almaty. */
  const inRange = (post: PostTruth) => inRangeOf(post, '2024-01-19T18:00:00Z', '2024-04-15T19:00:00Z');

  describe('trends', () => {
    const series = (post: PostTruth) => [...post.tags, ...post.families.map((f) => `family:${f}`)];

    function truth(interval: (typeof INTERVALS)[number], keep: (post: PostTruth) => boolean = () => true): Map<string, number> {
      const wanted = new Set([menoiandym, canonicalTag('#almaty'), 'family:seruen']);
      const counts = new Map<string, number>();
      for (const post of posts.filter((p) => inRange(p) && keep(p))) {
        for (const name of series(post).filter((s) => wanted.has(s))) {
          const key = `${name}|${bucketOf(Date.parse(post.createdAt), interval, TZ)}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }
      return counts;
    }

    /** Non-empty buckets of an answer's rows, keyed as truth() keys them. */
    function nonEmpty(rows: Array<{ tag: string; bucket_start: string; posts: number | string }>, interval: string): Map<string, number> {
      return new Map(
        rows
          .filter((r) => Number(r.posts) > 0)
          .map((r) => [`${r.tag}|${interval === 'hour' ? r.bucket_start : r.bucket_start.slice(0, 19)}`, Number(r.posts)]),
      );
    }

    const params = { ...RANGE, tag: [MENOIANDYM, '#Алматы'], family: ['seruen'] };

    it.each(INTERVALS)('per %s in Asia/Almaty, equal to the ground truth from the API, the CLI and CSV', async (interval) => {
      const answer = await get<TrendsAnswer>('/api/trends', { ...params, interval });
      expect(answer.query.tags).toEqual([
        { given: MENOIANDYM, key: menoiandym },
        { given: '#Алматы', key: canonicalTag('#almaty') },
      ]);
      const expected = truth(interval);
      expect(expected.size).toBeGreaterThan(interval === 'month' ? 6 : 20);
      expect(nonEmpty(answer.rows, interval)).toEqual(expected);

      const csv = await cli(['trends', '--tag', MENOIANDYM, '--tag', '#Алматы', '--family', 'seruen', '--from', RANGE.from, '--to', RANGE.to, '--tz', TZ, '--interval', interval, '--format', 'csv']);
      expect(csvObjects(csv)).toEqual(answer.rows.map((r) => ({ tag: r.tag, bucket_start: r.bucket_start, posts: String(r.posts) })));
      const exported = await apiGet(api.base, '/api/export/trends.csv', { ...params, interval });
      expect(csvObjects(await exported.text())).toEqual(csvObjects(csv));
    });

    it('reads a time zone written in any case as the engine needs it', async () => {
      const canonical = await get<TrendsAnswer>('/api/trends', { ...params, interval: 'day' });
      const lowercase = await get<TrendsAnswer>('/api/trends', { ...params, interval: 'day', tz: TZ.toLowerCase() });
      expect(lowercase.rows).toEqual(canonical.rows);
    });

    it('gives every bucket of the range, empty ones as 0, with the offset of the day', async () => {
      const answer = await get<TrendsAnswer>('/api/trends', { ...params, interval: 'day' });
      const days = answer.rows.filter((r) => r.tag === menoiandym).map((r) => r.bucket_start);
      // 20 January to 15 April 2024 inclusive.
      expect(days).toHaveLength(12 + 29 + 31 + 15);
      expect(days[0]).toBe('2024-01-20T00:00:00+06:00');
      expect(days).toContain('2024-02-29T00:00:00+06:00');
      expect(days).toContain('2024-03-01T00:00:00+05:00');
      const hours = (await get<TrendsAnswer>('/api/trends', { ...params, interval: 'hour', from: '2024-02-29T22:00', to: '2024-03-01T01:00' })).rows;
      expect(hours.filter((r) => r.tag === menoiandym).map((r) => r.bucket_start)).toEqual([
        '2024-02-29T22:00:00+06:00',
        '2024-02-29T23:00:00+06:00',
        '2024-02-29T23:00:00+05:00',
        '2024-03-01T00:00:00+05:00',
      ]);
    });

    it('filters by platform and language', async () => {
      const answer = await get<TrendsAnswer>('/api/trends', { ...params, interval: 'week', platform: 'telegram,vk', lang: 'kk' });
      const expected = truth('week', (p) => ['telegram', 'vk'].includes(p.platform) && p.lang === 'kk');
      expect(expected.size).toBeGreaterThan(5);
      expect(nonEmpty(answer.rows, 'week')).toEqual(expected);
      expect(answer.meta.late_posts).toBe(0);
    });
  });

  describe('co-occurrence', () => {
    function expectedRows(key: string, minCount: number) {
      const tagged = posts.filter((p) => inRange(p) && p.tags.length > 0);
      const n = (tag: string) => tagged.filter((p) => p.tags.includes(tag)).length;
      const partners = new Map<string, number>();
      for (const post of tagged) if (post.tags.includes(key)) for (const tag of post.tags) if (tag !== key) partners.set(tag, (partners.get(tag) ?? 0) + 1);
      const total = tagged.length;
      return [...partners]
        .filter(([, count]) => count >= minCount)
        .map(([partner, count]) => {
          const [a, b] = [n(key), n(partner)];
          const pmi = Math.log2(count / total / ((a / total) * (b / total)));
          return { tag_a: key, tag_b: partner, count, count_a: a, count_b: b, total, pmi, npmi: pmi / -Math.log2(count / total), lift: (count * total) / (a * b), jaccard: count / (a + b - count) };
        });
    }

    it('gives each partner with count, PMI, NPMI, lift and Jaccard, equal to the ground truth, sorted as asked', async () => {
      const answer = await get<CooccurrenceAnswer>('/api/cooccurrence', { ...RANGE, tag: MENOIANDYM, sort: 'pmi' });
      const expected = expectedRows(menoiandym, 1).sort((x, y) => y.pmi - x.pmi);
      expect(expected.length).toBeGreaterThan(3);
      expect(answer.rows.map((r) => r.tag_b)).toEqual(expected.map((r) => r.tag_b));
      answer.rows.forEach((row, i) => {
        const { pmi, npmi, lift, jaccard, ...counts } = expected[i]!;
        expect(row).toMatchObject(counts);
        for (const [name, value] of Object.entries({ pmi, npmi, lift, jaccard })) expect(row[name as keyof typeof row], name).toBeCloseTo(value, 10);
      });
    });

    it('leaves out partners below min_count, and agrees with the CLI, the CSV export and GEXF', async () => {
      const counts = expectedRows(menoiandym, 1).map((r) => r.count).sort((a, b) => a - b);
      const minCount = counts[Math.floor(counts.length / 2)]!;
      const params = { ...RANGE, tag: 'menoiandym', min_count: minCount };
      const answer = await get<CooccurrenceAnswer>('/api/cooccurrence', params);
      expect(answer.rows.map((r) => r.tag_b).sort()).toEqual(expectedRows(menoiandym, minCount).map((r) => r.tag_b).sort());
      expect(answer.rows.every((r) => r.count >= minCount)).toBe(true);

      const csv = await cli(['cooccur', '--tag', '#men_oyandym', '--from', RANGE.from, '--to', RANGE.to, '--tz', TZ, '--min-count', String(minCount), '--format', 'csv']);
      const rows = csvObjects(csv);
      expect(Object.keys(rows[0]!)).toEqual(['tag_a', 'tag_b', 'count', 'count_a', 'count_b', 'total', 'pmi', 'npmi', 'lift', 'jaccard']);
      expect(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k.startsWith('tag') ? v : Number(v)])))).toEqual(answer.rows);
      expect(csvObjects(await (await apiGet(api.base, '/api/export/cooccurrence.csv', params)).text())).toEqual(rows);

      const gexf = await apiGet(api.base, '/api/cooccurrence.gexf', params);
      expect(gexf.headers.get('content-type')).toMatch(/^application\/gexf\+xml/);
      const graph = await gexf.text();
      expect(graph).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<gexf xmlns="http:\/\/gexf.net\/1.3" version="1.3">/);
      const edges = [...graph.matchAll(/<edge id="\d+" source="([^"]+)" target="([^"]+)" weight="(\d+)">/g)].map((m) => [m[1], m[2], Number(m[3])]);
      expect(edges).toEqual(answer.rows.map((r) => [menoiandym, r.tag_b, r.count]));
      expect([...graph.matchAll(/<node id=/g)]).toHaveLength(answer.rows.length + 1);
      // The same graph but for the day it was made, which two runs around midnight would not share.
      const undated = (text: string) => text.replace(/ lastmodifieddate="[\d-]+"/, '');
      const fromCli = await cli(['cooccur', '--tag', 'menoiandym', '--from', RANGE.from, '--to', RANGE.to, '--tz', TZ, '--min-count', String(minCount), '--format', 'gexf']);
      expect(undated(fromCli)).toBe(undated(graph));
    });
  });

  describe('abuse', () => {
    it('gives posts, abusive ones, those toward women, the share and its Wilson interval per week, as the ground truth', async () => {
      const answer = await get<AbuseAnswer>('/api/abuse', { ...RANGE, tag: '#ҚазақКөктемі', interval: 'week' });
      expect(answer.query).toMatchObject({ interval: 'week', classifiers: [] });
      const expected = new Map<string, { posts: number; abusive: number; towardWomen: number; categories: Record<string, number> }>();
      for (const post of posts.filter((p) => inRange(p) && p.tags.includes(koktemi))) {
        const week = bucketOf(Date.parse(post.createdAt), 'week', TZ);
        const cell = expected.get(week) ?? { posts: 0, abusive: 0, towardWomen: 0, categories: {} };
        const verdict = classify(post.text, post.lang);
        cell.posts++;
        if (verdict.abusive) {
          cell.abusive++;
          if (verdict.towardWomen) cell.towardWomen++;
          for (const c of verdict.categories) cell.categories[c] = (cell.categories[c] ?? 0) + 1;
        }
        expected.set(week, cell);
      }
      expect([...expected.values()].some((c) => c.towardWomen > 0 && c.towardWomen < c.posts)).toBe(true);
      const rows = answer.rows.filter((r) => r.posts > 0);
      expect(new Map(rows.map((r) => [r.bucket_start.slice(0, 19), r.posts]))).toEqual(new Map([...expected].map(([w, c]) => [w, c.posts])));
      for (const row of rows) {
        const cell = expected.get(row.bucket_start.slice(0, 19))!;
        const [low, high] = wilson95(cell.towardWomen, cell.posts);
        expect(row).toMatchObject({ tag: koktemi, abusive: cell.abusive, abusive_toward_women: cell.towardWomen });
        expect(row.share_toward_women).toBeCloseTo(cell.towardWomen / cell.posts, 12);
        expect(row.ci_low).toBeCloseTo(low, 12);
        expect(row.ci_high).toBeCloseTo(high, 12);
        expect(Object.fromEntries(Object.entries(row.categories).filter(([, n]) => n > 0))).toEqual(cell.categories);
      }
      expect(answer.rows.filter((r) => r.posts === 0).every((r) => r.share_toward_women === null && r.ci_low === null)).toBe(true);

      const out = join(mkdtempSync(join(tmpdir(), 'tagpulse-abuse-')), 'abuse.csv');
      await cli(['export', 'abuse', '--out', out, '--tag', 'qazaqkoktemi', '--from', RANGE.from, '--to', RANGE.to, '--tz', TZ, '--interval', 'week']);
      const exported = csvObjects(readFileSync(out, 'utf8'));
      expect(csvObjects(await (await apiGet(api.base, '/api/export/abuse.csv', { ...RANGE, tag: 'qazaqkoktemi', interval: 'week' })).text())).toEqual(exported);
      expect(Object.keys(exported[0]!).slice(0, 8)).toEqual(['tag', 'bucket_start', 'posts', 'abusive', 'abusive_toward_women', 'share_toward_women', 'ci_low', 'ci_high']);
      expect(exported.map((r) => [r.bucket_start, Number(r.posts), Number(r.abusive_toward_women), r.ci_high === '' ? null : Number(r.ci_high)])).toEqual(
        answer.rows.map((r) => [r.bucket_start, r.posts, r.abusive_toward_women, r.ci_high]),
      );
    });
  });

  describe('post search', () => {
    /** Every page of a search, following `next`. */
    async function allPages(params: Record<string, string | number>): Promise<SearchAnswer['rows']> {
      const rows: SearchAnswer['rows'] = [];
      let next: string | null = null;
      do {
        const page: SearchAnswer = await get<SearchAnswer>('/api/search', { ...params, ...(next ? { search_after: next } : {}) }, TEST_KEYS.researcher);
        rows.push(...page.rows);
        next = page.next;
      } while (next);
      return rows;
    }

    it.each([
      // Kazakh: алаң matches алаңда (locative) through the suffix stripping; шеру matches шеруге (dative).
      ['kk', 'алаң', 'алаңда'],
      ['kk', 'шеру', 'шеруге'],
      // Russian: марша and марш share the Snowball stem.
      ['ru', 'марша', 'на марш'],
      ['ru', '"не будем молчать"', 'не будем молчать'],
    ])('finds %s text for %s, every match once, newest first, over search_after pages', async (_lang, q, contained) => {
      const expected = posts.filter((p) => p.text.includes(contained)).map((p) => p.id);
      expect(expected.length).toBeGreaterThan(50);
      const rows = await allPages({ q, size: 37 });
      expect(rows.map((r) => r.id).sort()).toEqual([...expected].sort());
      const order = rows.map((r) => [Date.parse(r.created_at), r.id] as const);
      expect(order).toEqual([...order].sort((x, y) => y[0] - x[0] || (x[1] < y[1] ? 1 : -1)));
      expect(rows.every((r) => r.author_id === null || r.author_id.startsWith('h1:'))).toBe(true);
    });

    it('gives next as null on the last page, also when that page is full', async () => {
      const { meta } = await get<SearchAnswer>('/api/search', { q: 'алаң', size: 1 }, TEST_KEYS.researcher);
      expect(meta.total).toBeLessThanOrEqual(1000);
      const full = await get<SearchAnswer>('/api/search', { q: 'алаң', size: meta.total }, TEST_KEYS.researcher);
      expect(full.rows).toHaveLength(meta.total);
      expect(full.next).toBeNull();
      expect(full.query).toMatchObject({ q: 'алаң', order: 'desc', abusive: null, toward_women: null, size: meta.total });
      const short = await get<SearchAnswer>('/api/search', { q: 'алаң', size: meta.total - 1 }, TEST_KEYS.researcher);
      expect(short.next).not.toBeNull();
    });

    it('filters, and the CLI and the posts export give the same posts', async () => {
      const params = { q: 'алаң', tag: '#серуен', lang: 'kk', from: '2024-02-01', to: '2024-03-31', tz: TZ };
      const expected = posts.filter((p) => p.text.includes('алаңда') && p.tags.includes('seruen') && inRangeOf(p, '2024-01-31T18:00:00Z', '2024-03-31T19:00:00Z'));
      const first = await get<SearchAnswer>('/api/search', { ...params, size: 1000 }, TEST_KEYS.researcher);
      expect(first.meta.total).toBe(expected.length);
      expect(first.rows.map((r) => r.id).sort()).toEqual(expected.map((p) => p.id).sort());

      const json = JSON.parse(await cli(['search', '--q', 'алаң', '--tag', '#серуен', '--lang', 'kk', '--from', params.from, '--to', params.to, '--tz', TZ, '--size', '1000', '--format', 'json'])) as SearchAnswer;
      expect(json.rows).toEqual(first.rows);

      const out = join(mkdtempSync(join(tmpdir(), 'tagpulse-posts-')), 'posts.csv');
      await cli(['export', 'posts', '--out', out, '--q', 'алаң', '--tag', '#серуен', '--lang', 'kk', '--from', params.from, '--to', params.to, '--tz', TZ, '--bom']);
      const text = readFileSync(out, 'utf8');
      expect(text.startsWith('\uFEFFid,platform,created_at,lang,text,tags,')).toBe(true);
      const exported = csvObjects(text.slice(1));
      // Exports go oldest first; search pages newest first.
      expect(exported.map((r) => r.id)).toEqual(first.rows.map((r) => r.id).reverse());
      expect(exported.map((r) => r.text)).toEqual(first.rows.map((r) => r.text).reverse());
      const viaApi = await apiGet(api.base, '/api/export/posts.csv', params, TEST_KEYS.researcher);
      expect(csvObjects(await viaApi.text()).map((r) => r.id)).toEqual(exported.map((r) => r.id));
    });
  });

  describe('scheduled reports', () => {
    const report = (outDir: string) =>
      ReportConfig.parse({ name: 'weekly-koktemi', cron: '0 6 * * 1', cronTz: TZ, outDir, query: { export: 'trends', tag: ['qazaqkoktemi'], interval: 'week', ...RANGE } });

    it('writes the export atomically into a file named with the time of the run', async () => {
      const outDir = mkdtempSync(join(tmpdir(), 'tagpulse-reports-'));
      const at = Date.parse('2024-04-15T01:00:00Z');
      const context = queryContext(store, config, 'pseudonyms', () => at);
      const { path, rows } = await runReport(context, report(outDir));
      expect(path).toBe(join(outDir, 'weekly-koktemi-20240415T010000Z.csv'));
      expect(readdirSync(outDir)).toEqual(['weekly-koktemi-20240415T010000Z.csv']);
      const exported = await (await apiGet(api.base, '/api/export/trends.csv', { tag: 'qazaqkoktemi', interval: 'week', ...RANGE })).text();
      expect(readFileSync(path, 'utf8')).toBe(exported);
      expect(rows).toBe(csvObjects(exported).length);
    });

    it('runs each report on its schedule, in the cron time zone, and a failing run leaves no file', async () => {
      const outDir = mkdtempSync(join(tmpdir(), 'tagpulse-reports-'));
      const scheduled: Array<{ expression: string; timezone: string; task: () => Promise<void> }> = [];
      const scheduler: Scheduler = { schedule: (expression, task, { timezone }) => (scheduled.push({ expression, timezone, task }), { stop: () => undefined }) };
      const broken = ReportConfig.parse({ ...report(outDir), name: 'broken', query: { export: 'cooccurrence', tag: '#!!' } });
      const schedules = scheduleReports(queryContext(store, config, 'pseudonyms', () => Date.parse('2024-04-22T01:00:00Z')), [report(outDir), broken], scheduler);
      expect(scheduled.map(({ expression, timezone }) => [expression, timezone])).toEqual([['0 6 * * 1', TZ], ['0 6 * * 1', TZ]]);
      for (const { task } of scheduled) await task();
      await schedules.stop();
      expect(readdirSync(outDir)).toEqual(['weekly-koktemi-20240422T010000Z.csv']);
    });
  });
});

function inRangeOf(post: PostTruth, from: string, to: string): boolean {
  const t = Date.parse(post.createdAt);
  return t >= Date.parse(from) && t < Date.parse(to);
}
