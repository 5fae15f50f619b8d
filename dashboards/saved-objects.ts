import { DASHBOARDS, type ChartContext, type ChartDefinition, type DashboardId, type Language } from './charts.js';
import { aliasOf, chartsOf, hostSpec } from './specs.js';

/**
 * Saved objects for Kibana 8 and OpenSearch Dashboards 2, generated from the chart definitions: a data view
 * (index pattern) per metric index, a Vega visualisation per chart, a Markdown panel linking the abuse
 * methodology, and the two dashboards, whose panels reference the visualisations by id. Ids are stable (the
 * index prefix and the chart id), so an import with overwrite replaces what an earlier import made.
 */

export const PRODUCTS = ['kibana', 'opensearch-dashboards'] as const;
export type Product = (typeof PRODUCTS)[number];

export interface SavedObject {
  type: 'index-pattern' | 'visualization' | 'dashboard';
  id: string;
  attributes: Record<string, unknown>;
  references: Array<{ name: string; type: string; id: string }>;
  /** The object format's version: both products migrate objects of this (7.10) format on import. */
  migrationVersion: Record<string, string>;
}

/**
 * The versions of the formats written here, which are those of 7.10 exports: OpenSearch Dashboards 2 reads them as
 * its own, and Kibana 8 runs its migrations from them, as for any object exported from 7.10. Without them, both
 * would run every migration from the first, some of which expect older shapes.
 */
const FORMAT_VERSION: Record<SavedObject['type'], string> = { 'index-pattern': '7.6.0', visualization: '7.10.0', dashboard: '7.9.3' };
const versionOf = (type: SavedObject['type']) => ({ [type]: FORMAT_VERSION[type] });

export interface SavedObjectOptions {
  product: Product;
  language?: Language;
  /** Where the abuse methodology is read (the Markdown panel links it). */
  methodologyUrl: string;
}

const METRIC_INDICES = [
  { logical: 'metrics-volume', name: 'Tagpulse volume metrics' },
  { logical: 'metrics-cooccurrence', name: 'Tagpulse co-occurrence metrics' },
  { logical: 'metrics-abuse', name: 'Tagpulse abuse metrics' },
] as const;

const searchSource = () => JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [] });

export const objectId = (context: ChartContext, name: string) => `${context.indexPrefix}-${name}`;
export const visualizationId = (context: ChartContext, chart: Pick<ChartDefinition, 'id'>) => objectId(context, `vis-${chart.id}`);
export const dashboardId = (context: ChartContext, dashboard: DashboardId) => objectId(context, `dashboard-${dashboard}`);
export const methodologyId = (context: ChartContext) => objectId(context, 'vis-abuse-methodology');

function dataView(context: ChartContext, index: (typeof METRIC_INDICES)[number], product: Product): SavedObject {
  const title = aliasOf(context, index.logical);
  return {
    type: 'index-pattern',
    id: objectId(context, `dataview-${index.logical}`),
    // Kibana 8 data views also carry a display name; OpenSearch Dashboards index patterns have the title only.
    attributes: { title, timeFieldName: 'windowStart', ...(product === 'kibana' ? { name: index.name } : {}) },
    references: [],
    migrationVersion: versionOf('index-pattern'),
  };
}

function visualization(id: string, title: string, description: string, visState: Record<string, unknown>): SavedObject {
  return {
    type: 'visualization',
    id,
    attributes: {
      title,
      description,
      visState: JSON.stringify({ title, ...visState }),
      uiStateJSON: '{}',
      version: 1,
      kibanaSavedObjectMeta: { searchSourceJSON: searchSource() },
    },
    references: [],
    migrationVersion: versionOf('visualization'),
  };
}

const METHODOLOGY_TEXT: Record<Language, (url: string) => string> = {
  en: (url) => `**How abuse is counted.** Posts are classified by open lexicon rules in Kazakh, Russian and English; the method, its categories, its evaluation and its limits are in [the abuse methodology](${url}). Shares are of classified posts, with Wilson 95% intervals.`,
  ru: (url) => `**Как считаются оскорбления.** Посты классифицируются открытыми правилами-лексиконами на казахском, русском и английском; метод, категории, оценка качества и ограничения — в [методологии](${url}). Доли — от классифицированных постов, с 95% интервалами Уилсона.`,
  kk: (url) => `**Қорлау қалай саналады.** Жазбалар қазақ, орыс және ағылшын тілдеріндегі ашық лексикон ережелерімен жіктеледі; әдісі, санаттары, бағалауы мен шектеулері [әдістемеде](${url}). Үлестер жіктелген жазбалардан, Уилсон 95% аралығымен.`,
};

/** Panel positions on the 48-column grid, per dashboard, in chart order (the methodology panel first on the abuse one). */
const LAYOUT: Record<DashboardId, Array<{ w: number; h: number; x: number; y: number }>> = {
  'campaign-overview': [
    { x: 0, y: 0, w: 48, h: 15 },
    { x: 0, y: 15, w: 24, h: 12 },
    { x: 24, y: 15, w: 24, h: 12 },
    { x: 0, y: 27, w: 24, h: 18 },
    { x: 24, y: 27, w: 24, h: 18 },
  ],
  'abuse-toward-women': [
    { x: 0, y: 0, w: 48, h: 5 },
    { x: 0, y: 5, w: 48, h: 15 },
    { x: 0, y: 20, w: 16, h: 15 },
    { x: 16, y: 20, w: 16, h: 15 },
    { x: 32, y: 20, w: 16, h: 15 },
  ],
};

function dashboard(context: ChartContext, id: DashboardId, panelIds: string[], language: Language): SavedObject {
  const definition = DASHBOARDS.find((d) => d.id === id)!;
  const panels = panelIds.map((_, i) => {
    const panelIndex = String(i + 1);
    const grid = LAYOUT[id][i] ?? { x: 0, y: 100 + i * 15, w: 48, h: 15 };
    return { version: '7.10.0', type: 'visualization', gridData: { ...grid, i: panelIndex }, panelIndex, embeddableConfig: {}, panelRefName: `panel_${i}` };
  });
  return {
    type: 'dashboard',
    id: dashboardId(context, id),
    attributes: {
      title: `Tagpulse: ${definition.title[language]}`,
      description: definition.description[language],
      panelsJSON: JSON.stringify(panels),
      optionsJSON: JSON.stringify({ useMargins: true, hidePanelTitles: false }),
      version: 1,
      timeRestore: true,
      timeFrom: 'now-30d',
      timeTo: 'now',
      refreshInterval: { pause: true, value: 0 },
      kibanaSavedObjectMeta: { searchSourceJSON: searchSource() },
    },
    references: panelIds.map((panelId, i) => ({ name: `panel_${i}`, type: 'visualization', id: panelId })),
    migrationVersion: versionOf('dashboard'),
  };
}

/** Every saved object for one product: data views, visualisations, dashboards (referenced objects first). */
export function savedObjects(context: ChartContext, options: SavedObjectOptions): SavedObject[] {
  const language = options.language ?? 'en';
  const objects: SavedObject[] = METRIC_INDICES.map((index) => dataView(context, index, options.product));
  const panelsOf: Record<DashboardId, string[]> = { 'campaign-overview': [], 'abuse-toward-women': [] };
  const methodology = visualization(methodologyId(context), `Tagpulse: ${language === 'en' ? 'abuse methodology' : language === 'ru' ? 'методология' : 'әдістеме'}`, '', {
    type: 'markdown',
    aggs: [],
    params: { markdown: METHODOLOGY_TEXT[language](options.methodologyUrl), openLinksInNewTab: true, fontSize: 12 },
  });
  objects.push(methodology);
  panelsOf['abuse-toward-women'].push(methodology.id);
  for (const definition of DASHBOARDS) {
    for (const chart of chartsOf(definition.id)) {
      const spec = hostSpec(chart, context, language);
      const id = visualizationId(context, chart);
      objects.push(
        visualization(id, `Tagpulse: ${chart.title[language]}`, chart.description[language], {
          type: 'vega',
          aggs: [],
          params: { spec: JSON.stringify(spec, null, 2) },
        }),
      );
      panelsOf[definition.id].push(id);
    }
  }
  for (const definition of DASHBOARDS) objects.push(dashboard(context, definition.id, panelsOf[definition.id], language));
  return objects;
}

/** One object per line, as the saved-objects import APIs and the Saved Objects pages read them. */
export function toNdjson(objects: readonly SavedObject[]): string {
  return objects.map((o) => JSON.stringify(o)).join('\n') + '\n';
}

export const NDJSON_FILE: Record<Product, string> = { kibana: 'kibana.ndjson', 'opensearch-dashboards': 'opensearch-dashboards.ndjson' };
