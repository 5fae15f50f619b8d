import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wilsonInterval } from '../../api/measures.js';
import { openStore } from '../../infra/store/open.js';
import type { SearchStore } from '../../infra/store/search-store.js';
import { canonicalTag } from '../../processors/normalise/canonical.js';
import type { TagpulseConfig } from '../../schemas/index.js';
import { CHARTS, type ChartContext, type ChartDefinition } from '../../dashboards/charts.js';
import { resolveContextQuery } from '../../dashboards/context-query.js';
import { drawnMarks, runSpec } from '../../dashboards/render.js';
import { PRODUCTS, savedObjects, type Product } from '../../dashboards/saved-objects.js';
import { chartContext } from '../../dashboards/specs.js';
import { initialisedConfig } from '../support/config.js';
import { SEED_FAMILIES, SEED_FROM, SEED_TO, SPIKE_DAY, SPIKE_FAMILY, seedDashboardData, type SeedTotals } from '../support/dashboards-data.js';

const ARTIFACTS = join('test-artifacts', 'dashboards');
type Row = Record<string, unknown>;
type Spec = Record<string, unknown>;

/** The Vega specs inside a product's saved objects, by chart id (taken from the objects, as a host would read them). */
function specsOf(objects: ReturnType<typeof savedObjects>, context: ChartContext): Map<string, Spec> {
  const specs = new Map<string, Spec>();
  for (const chart of CHARTS) {
    const object = objects.find((o) => o.id === `${context.indexPrefix}-vis-${chart.id}`)!;
    const visState = JSON.parse(object.attributes['visState'] as string) as { type: string; params: { spec: string } };
    expect(visState.type).toBe('vega');
    specs.set(chart.id, JSON.parse(visState.params.spec) as Spec);
  }
  return specs;
}

/** The search a host would send for a spec, answered by the real engine; the spec with the answer in place of its url. */
async function answered(store: SearchStore, spec: Spec, host: Product, filters: unknown[] = []): Promise<{ spec: Spec; response: unknown; property: string }> {
  const lite = !Array.isArray(spec['data']);
  const data = (lite ? spec['data'] : (spec['data'] as Spec[])[0]) as { url: Record<string, unknown>; format: { property: string } };
  const search = resolveContextQuery(data.url, { from: SEED_FROM, to: SEED_TO, filters, host });
  const response = await store.search(search.index, search.body);
  const withValues = { ...data, values: response } as Spec;
  delete withValues['url'];
  const copy: Spec = { ...spec, data: lite ? withValues : [withValues, ...(spec['data'] as Spec[]).slice(1)] };
  return { spec: copy, response, property: data.format.property };
}

/** The chart's rows: its buckets-to-rows transforms alone, run by the same library. */
async function rowsOf(chart: ChartDefinition, context: ChartContext, response: unknown, property: string): Promise<Row[]> {
  const search = chart.search(context);
  if (chart.grammar === 'vega') {
    const view = await runSpec({
      $schema: 'https://vega.github.io/schema/vega/v5.json',
      data: [{ name: 'search', values: response, format: { property } }, { name: 'rows', source: 'search', transform: search.toRows }],
    });
    return view.data('rows') as Row[];
  }
  const view = await runSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values: response, format: { property } },
    transform: search.toRows,
    mark: 'point',
  });
  return view.data('data_0') as Row[];
}

describe('dashboard charts against the real search engine', () => {
  let config: TagpulseConfig;
  let store: SearchStore;
  let context: ChartContext;
  let totals: SeedTotals;

  beforeAll(async () => {
    config = await initialisedConfig();
    store = await openStore(config);
    totals = await seedDashboardData(store);
    context = chartContext(config);
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await store?.close();
  });

  for (const product of PRODUCTS) {
    it(`runs every query of every ${product} spec and draws every chart`, async () => {
      const specs = specsOf(savedObjects(context, { product, methodologyUrl: 'http://127.0.0.1:8080/docs/abuse-methodology.md' }), context);
      for (const chart of CHARTS) {
        const { spec } = await answered(store, specs.get(chart.id)!, product);
        const view = await runSpec(spec);
        const marks = drawnMarks(view);
        const drawn = Object.values(marks).reduce((a, b) => a + b, 0);
        expect(drawn, `${chart.id} draws marks (${JSON.stringify(marks)})`).toBeGreaterThan(0);
        writeFileSync(join(ARTIFACTS, `${product}-${chart.id}.svg`), await view.toSVG());
        view.finalize();
      }
    });
  }

  it('counts what was seeded: volume, spikes, platforms and languages', async () => {
    const specs = specsOf(savedObjects(context, { product: 'kibana', methodologyUrl: 'http://x/' }), context);
    const chart = (id: string) => CHARTS.find((c) => c.id === id)!;

    const volume = await answered(store, specs.get('volume')!, 'kibana');
    const rows = await rowsOf(chart('volume'), context, volume.response, volume.property);
    // 14 days at about 50 buckets: 12-hour buckets, summed back into days.
    expect(rows).toHaveLength(SEED_FAMILIES.length * 28);
    for (const [family, daily] of Object.entries(totals.daily)) {
      const byDay = new Array(daily.length).fill(0);
      for (const r of rows.filter((x) => x['series'] === family)) byDay[Math.floor((Number(r['bucket_start']) - SEED_FROM) / 86_400_000)] += r['posts'];
      expect(byDay).toEqual(daily);
    }
    // The spike layer draws exactly the seeded spike.
    const view = await runSpec(volume.spec);
    const spikes = (view.scenegraph() as unknown as { root: unknown }).root;
    const points: Array<{ datum: Row }> = [];
    const walk = (node: { marktype?: string; role?: string; items?: unknown[] }) => {
      if (node.marktype === 'symbol' && node.role === 'mark') points.push(...(node.items as Array<{ datum: Row }>));
      for (const item of node.items ?? []) walk(item as typeof node);
    };
    walk(spikes as Parameters<typeof walk>[0]);
    expect(points.map((p) => [p.datum['series'], new Date(Number(p.datum['bucket_start'])).getUTCDate()])).toEqual([[SPIKE_FAMILY, SPIKE_DAY + 1]]);

    for (const [id, field, expected] of [
      ['platforms', 'platform', totals.postsByPlatform],
      ['languages', 'lang', totals.postsByLang],
    ] as const) {
      const answer = await answered(store, specs.get(id)!, 'kibana');
      const split = await rowsOf(chart(id), context, answer.response, answer.property);
      const got: Record<string, Record<string, number>> = {};
      for (const r of split) (got[r['series'] as string] ??= {})[r[field] as string] = r['posts'] as number;
      expect(got).toEqual(expected);
    }
  });

  it('counts what was seeded: co-occurring tags (no diagonal cells, no N) and the network', async () => {
    const specs = specsOf(savedObjects(context, { product: 'opensearch-dashboards', methodologyUrl: 'http://x/' }), context);
    for (const id of ['partners', 'network']) {
      const answer = await answered(store, specs.get(id)!, 'opensearch-dashboards');
      const rows = await rowsOf(CHARTS.find((c) => c.id === id)!, context, answer.response, answer.property);
      const got = Object.fromEntries(rows.map((r) => [`${r['tag']}|${r['partner']}`, r['count']]));
      expect(got).toEqual(totals.pairs);
    }
  });

  it('counts what was seeded: abuse share with the API’s Wilson interval, categories, platforms, campaigns', async () => {
    const specs = specsOf(savedObjects(context, { product: 'kibana', methodologyUrl: 'http://x/' }), context);
    const chart = (id: string) => CHARTS.find((c) => c.id === id)!;

    const share = await answered(store, specs.get('abuse-share')!, 'kibana');
    const shareRows = await rowsOf(chart('abuse-share'), context, share.response, share.property);
    const sumOf = (rows: Row[], field: string) => rows.reduce((a, r) => a + (r[field] as number), 0);
    expect(sumOf(shareRows, 'posts')).toBe(Object.values(totals.abuse).reduce((a, t) => a + t.posts, 0));
    expect(sumOf(shareRows, 'toward_women')).toBe(Object.values(totals.abuse).reduce((a, t) => a + t.towardWomen, 0));
    // The interval the spec draws is the API's: run the whole spec and read its computed band.
    const campaigns = await answered(store, specs.get('abuse-campaigns')!, 'kibana');
    const campaignRows = await rowsOf(chart('abuse-campaigns'), context, campaigns.response, campaigns.property);
    const byCampaign = Object.fromEntries(campaignRows.map((r) => [r['campaign'], r]));
    for (const [family, t] of Object.entries(totals.abuse)) {
      expect(byCampaign[family]).toMatchObject({ posts: t.posts, abusive: t.abusive, toward_women: t.towardWomen });
    }
    const view = await runSpec(campaigns.spec);
    const bars: Row[] = [];
    const walk = (node: { marktype?: string; role?: string; items?: unknown[] }) => {
      if (node.marktype === 'rect' && node.role === 'mark') bars.push(...(node.items as Array<{ datum: Row }>).map((i) => i.datum));
      for (const item of node.items ?? []) walk(item as typeof node);
    };
    walk((view.scenegraph() as unknown as { root: Parameters<typeof walk>[0] }).root);
    expect(bars).toHaveLength(Object.keys(totals.abuse).length);
    for (const bar of bars) {
      const t = totals.abuse[bar['campaign'] as string]!;
      const api = wilsonInterval(t.towardWomen, t.posts)!;
      expect(bar['share']).toBeCloseTo(t.towardWomen / t.posts, 12);
      expect(bar['ci_low']).toBeCloseTo(api.low, 12);
      expect(bar['ci_high']).toBeCloseTo(api.high, 12);
    }

    const categories = await answered(store, specs.get('abuse-categories')!, 'kibana');
    const categoryRows = await rowsOf(chart('abuse-categories'), context, categories.response, categories.property);
    const got = Object.fromEntries(categoryRows.filter((r) => (r['abusive'] as number) > 0).map((r) => [r['category'], r['abusive']]));
    expect(got).toEqual(Object.fromEntries(Object.entries(totals.categories).filter(([, n]) => n > 0)));

    const platforms = await answered(store, specs.get('abuse-platforms')!, 'kibana');
    const platformRows = await rowsOf(chart('abuse-platforms'), context, platforms.response, platforms.property);
    expect(Object.fromEntries(platformRows.map((r) => [r['platform'], { posts: r['posts'], towardWomen: r['toward_women'] }]))).toEqual(totals.abuseByPlatform);
  });

  it('applies dashboard filters through %context%', async () => {
    const specs = specsOf(savedObjects(context, { product: 'kibana', methodologyUrl: 'http://x/' }), context);
    const filtered = await answered(store, specs.get('abuse-platforms')!, 'kibana', [{ term: { platform: 'telegram' } }]);
    const rows = await rowsOf(CHARTS.find((c) => c.id === 'abuse-platforms')!, context, filtered.response, filtered.property);
    expect(rows.map((r) => r['platform'])).toEqual(['telegram']);
    expect(canonicalTag(SPIKE_FAMILY)).toBe('metoo');
  });
});
