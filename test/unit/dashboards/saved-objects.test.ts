import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHARTS, DASHBOARDS, LANGUAGES, TIME_FIELD } from '../../../dashboards/charts.js';
import { drawnMarks, runSpec } from '../../../dashboards/render.js';
import { NDJSON_FILE, PRODUCTS, savedObjects, toNdjson, type Product, type SavedObject } from '../../../dashboards/saved-objects.js';
import { chartContext, webSpec } from '../../../dashboards/specs.js';
import { TagpulseConfig } from '../../../schemas/index.js';
import { runCli } from '../../support/cli.js';

const DEFAULT_METHODOLOGY = 'http://127.0.0.1:8080/docs/abuse-methodology.md';
const config = TagpulseConfig.parse({ families: { metoo: { aliases: ['#янебоюсьсказать'] }, menoiandym: {} }, search: { indexPrefix: 'tp' } });
const context = chartContext(config);

function parse(ndjson: string): SavedObject[] {
  expect(ndjson.endsWith('\n')).toBe(true);
  return ndjson
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as SavedObject);
}

describe.each(PRODUCTS)('saved objects for %s', (product: Product) => {
  const objects = parse(toNdjson(savedObjects(context, { product, methodologyUrl: DEFAULT_METHODOLOGY })));
  const byId = new Map(objects.map((o) => [o.id, o]));

  it('has one object per line with unique, stable ids, referenced objects before those referring to them', () => {
    expect(byId.size).toBe(objects.length);
    expect(objects.map((o) => `${o.type}:${o.id}`)).toEqual(savedObjects(context, { product, methodologyUrl: DEFAULT_METHODOLOGY }).map((o) => `${o.type}:${o.id}`));
    expect(objects.filter((o) => o.type === 'index-pattern').map((o) => o.id)).toEqual(['tp-dataview-metrics-volume', 'tp-dataview-metrics-cooccurrence', 'tp-dataview-metrics-abuse']);
    expect(objects.filter((o) => o.type === 'dashboard').map((o) => o.id)).toEqual(DASHBOARDS.map((d) => `tp-dashboard-${d.id}`));
    for (const object of objects) expect(object.migrationVersion).toEqual({ [object.type]: { 'index-pattern': '7.6.0', visualization: '7.10.0', dashboard: '7.9.3' }[object.type] });
    const position = new Map(objects.map((o, i) => [o.id, i]));
    for (const object of objects) for (const reference of object.references) expect(position.get(reference.id)!).toBeLessThan(position.get(object.id)!);
  });

  it('resolves every reference, and every dashboard panel to a reference', () => {
    for (const object of objects) {
      for (const reference of object.references) {
        expect(byId.get(reference.id)?.type, `${object.id} → ${reference.id}`).toBe(reference.type);
      }
    }
    for (const dashboard of objects.filter((o) => o.type === 'dashboard')) {
      const panels = JSON.parse(dashboard.attributes['panelsJSON'] as string) as Array<{ panelRefName: string; panelIndex: string; gridData: { i: string; w: number; x: number } }>;
      expect(panels.map((p) => p.panelRefName).sort()).toEqual(dashboard.references.map((r) => r.name).sort());
      expect(new Set(panels.map((p) => p.panelIndex)).size).toBe(panels.length);
      for (const panel of panels) {
        expect(panel.gridData.i).toBe(panel.panelIndex);
        expect(panel.gridData.x + panel.gridData.w).toBeLessThanOrEqual(48);
      }
      expect(JSON.parse(dashboard.attributes['optionsJSON'] as string)).toMatchObject({ useMargins: true });
      expect(JSON.parse((dashboard.attributes['kibanaSavedObjectMeta'] as { searchSourceJSON: string }).searchSourceJSON)).toMatchObject({ filter: [] });
    }
    const overview = byId.get('tp-dashboard-campaign-overview')!;
    expect(overview.references.map((r) => r.id)).toEqual(CHARTS.filter((c) => c.dashboard === 'campaign-overview').map((c) => `tp-vis-${c.id}`));
    const abuse = byId.get('tp-dashboard-abuse-toward-women')!;
    expect(abuse.references.map((r) => r.id)).toEqual(['tp-vis-abuse-methodology', ...CHARTS.filter((c) => c.dashboard === 'abuse-toward-women').map((c) => `tp-vis-${c.id}`)]);
  });

  it('has a Vega visualisation per chart whose query uses %context% and %timefield% on a data view of the file', () => {
    const titles = new Set(objects.filter((o) => o.type === 'index-pattern').map((o) => o.attributes['title']));
    for (const o of objects.filter((x) => x.type === 'index-pattern')) {
      expect(o.attributes['timeFieldName']).toBe(TIME_FIELD);
      expect('name' in o.attributes).toBe(product === 'kibana');
    }
    for (const chart of CHARTS) {
      const object = byId.get(`tp-vis-${chart.id}`)!;
      const visState = JSON.parse(object.attributes['visState'] as string) as { type: string; title: string; aggs: unknown[]; params: { spec: string } };
      expect(visState).toMatchObject({ type: 'vega', aggs: [], title: object.attributes['title'] });
      const spec = JSON.parse(visState.params.spec) as Record<string, unknown>;
      expect(spec['$schema']).toBe(chart.grammar === 'vega' ? 'https://vega.github.io/schema/vega/v5.json' : 'https://vega.github.io/schema/vega-lite/v5.json');
      const data = (chart.grammar === 'vega' ? (spec['data'] as unknown[])[0] : spec['data']) as { url: Record<string, unknown>; format: { property: string } };
      expect(data.url['%context%']).toBe(true);
      expect(data.url['%timefield%']).toBe(TIME_FIELD);
      expect(titles).toContain(data.url['index']);
      // The hosts refuse a body with its own query beside %context%.
      expect(Object.keys(data.url['body'] as object)).not.toContain('query');
      expect(data.format.property).toMatch(/^aggregations\./);
    }
    const methodology = JSON.parse(byId.get('tp-vis-abuse-methodology')!.attributes['visState'] as string) as { type: string; params: { markdown: string } };
    expect(methodology.type).toBe('markdown');
    expect(methodology.params.markdown).toContain(`](${DEFAULT_METHODOLOGY})`);
  });

  it('uses the configured families and aliases in the queries', () => {
    const spec = JSON.parse(JSON.parse(byId.get('tp-vis-abuse-campaigns')!.attributes['visState'] as string).params.spec) as { data: { url: { body: unknown } }; transform: Array<{ calculate?: string }> };
    expect(JSON.stringify(spec.data.url.body)).toContain('"ianeboiusskazat"');
    expect(spec.transform[0]!.calculate).toContain("indexof(['ianeboiusskazat', 'metoo'], datum.key) >= 0 ? 'metoo'");
  });
});

describe('languages', () => {
  it('titles objects in Kazakh, Russian or English', () => {
    for (const language of LANGUAGES) {
      const dashboards = savedObjects(context, { product: 'kibana', language, methodologyUrl: DEFAULT_METHODOLOGY }).filter((o) => o.type === 'dashboard');
      expect(dashboards.map((d) => d.attributes['title'])).toEqual(DASHBOARDS.map((d) => `Tagpulse: ${d.title[language]}`));
    }
  });
});

describe('the NDJSON files in dashboards/', () => {
  it.each(PRODUCTS)('%s file is what `tagpulse dashboards export --out dashboards` writes for the default config', (product) => {
    const committed = readFileSync(new URL(`../../../dashboards/${NDJSON_FILE[product]}`, import.meta.url), 'utf8');
    const generated = toNdjson(savedObjects(chartContext(TagpulseConfig.parse({})), { product, methodologyUrl: DEFAULT_METHODOLOGY }));
    expect(committed, 'run `npx tagpulse dashboards export --out dashboards` after changing a chart').toBe(generated);
  });
});

describe('the web page specs', () => {
  const sample: Record<string, Array<Record<string, unknown>>> = {
    volume: Array.from({ length: 12 }, (_, d) => ({ series: 'metoo', bucket_start: Date.UTC(2026, 2, d + 1), posts: d === 9 ? 200 : 20 + (d % 2) })),
    platforms: [{ series: 'metoo', platform: 'telegram', posts: 5 }],
    languages: [{ series: 'metoo', lang: 'kk', posts: 5 }],
    partners: [{ tag: 'metoo', partner: 'almaty', count: 3 }],
    network: [
      { tag: 'metoo', partner: 'almaty', count: 3 },
      { tag: 'metoo', partner: 'seruen', count: 1 },
    ],
    'abuse-share': [{ bucket_start: Date.UTC(2026, 2, 1), posts: 10, toward_women: 2 }],
    'abuse-categories': [{ category: 'threat', abusive: 2 }],
    'abuse-platforms': [{ platform: 'telegram', posts: 10, toward_women: 2 }],
    'abuse-campaigns': [{ campaign: 'metoo', posts: 10, abusive: 3, toward_women: 2 }],
  };

  it.each(CHARTS.map((c) => [c.id, c] as const))('%s compiles with vega and draws rows built like the page builds them', async (_id, chart) => {
    const spec = webSpec(chart, context);
    const rows = sample[chart.id]!;
    expect(rows, `sample rows for ${chart.id}`).toBeDefined();
    for (const column of chart.columns.filter((c) => !['share', 'ci_low', 'ci_high', 'spike'].includes(c.field))) expect(Object.keys(rows[0]!)).toContain(column.field);
    if (chart.grammar === 'vega') (spec['data'] as Array<Record<string, unknown>>)[0] = { name: 'rows', values: rows };
    else spec['data'] = { name: 'rows', values: rows };
    const view = await runSpec(spec);
    expect(Object.values(drawnMarks(view)).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    view.finalize();
  });
});

describe('tagpulse dashboards export', () => {
  it('links the methodology at an address a browser can open, also when the server listens on 0.0.0.0 (the Docker config)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tagpulse-dashboards-'));
    const result = await runCli(['dashboards', 'export', '--product', 'kibana', '--out', out, '--config', 'infra/docker/tagpulse.config.json']);
    expect(result.code, result.stderr).toBe(0);
    const ndjson = readFileSync(join(out, NDJSON_FILE.kibana), 'utf8');
    expect(ndjson).toContain('http://localhost:8080/docs/abuse-methodology.md');
    expect(ndjson).not.toContain('0.0.0.0');
  });
});
