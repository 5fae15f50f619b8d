import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultLexiconDir } from '../processors/abuse/lexicon.js';
import { TagFamilies } from '../processors/normalise/families.js';
import type { TagpulseConfig } from '../schemas/index.js';
import { CHARTS, TIME_FIELD, VEGA_LITE_SCHEMA, VEGA_SCHEMA, type ChartContext, type ChartDefinition, type Language } from './charts.js';

/** The abuse categories of the lexicon (processors/abuse/lexicon/categories.json), in its order. */
export function lexiconCategories(dir = defaultLexiconDir()): string[] {
  const file = JSON.parse(readFileSync(join(dir, 'categories.json'), 'utf8')) as { categories: Record<string, unknown> };
  return Object.keys(file.categories);
}

export function chartContext(config: TagpulseConfig, categories = lexiconCategories()): ChartContext {
  const families = new TagFamilies(config.families);
  return {
    indexPrefix: config.search.indexPrefix,
    families: [...families.membersByFamily()].map(([name, keys]) => ({ name, keys: [...keys] })),
    categories,
  };
}

export function aliasOf(context: ChartContext, logical: string): string {
  return `${context.indexPrefix}-${logical}`;
}

/** The context-aware query of a chart as Kibana and OpenSearch Dashboards read it from a Vega spec's `data.url`. */
export function searchUrl(chart: ChartDefinition, context: ChartContext) {
  const search = chart.search(context);
  return { '%context%': true, '%timefield%': TIME_FIELD, index: aliasOf(context, search.index), body: search.body };
}

type Spec = Record<string, unknown>;

/**
 * The spec a Kibana or OpenSearch Dashboards Vega visualisation runs: the chart's query as its data, the
 * buckets-to-rows transforms, then the view.
 */
export function hostSpec(chart: ChartDefinition, context: ChartContext, language: Language = 'en'): Spec {
  const search = chart.search(context);
  const url = searchUrl(chart, context);
  const view = chart.view(context);
  if (chart.grammar === 'vega') {
    // No title: the panel shows the visualisation's; no size: the hosts fit the spec to the panel.
    return {
      $schema: VEGA_SCHEMA,
      description: chart.description[language],
      ...view,
      data: [
        { name: 'search', url, format: { property: search.property } },
        { name: 'rows', source: 'search', transform: search.toRows },
        ...((view.data as unknown[]) ?? []),
      ],
    };
  }
  return {
    $schema: VEGA_LITE_SCHEMA,
    description: chart.description[language],
    data: { url, format: { property: search.property } },
    ...view,
    transform: [...search.toRows, ...((view.transform as unknown[]) ?? [])],
  };
}

/** The spec the Tagpulse web page draws: the same view over rows the page builds from the HTTP API (dataset `rows`). */
export function webSpec(chart: ChartDefinition, context: ChartContext, language: Language = 'en'): Spec {
  const view = chart.view(context);
  if (chart.grammar === 'vega') {
    return {
      $schema: VEGA_SCHEMA,
      description: chart.description[language],
      autosize: 'none',
      width: 560,
      height: 380,
      ...view,
      data: [{ name: 'rows', values: [] }, ...((view.data as unknown[]) ?? [])],
    };
  }
  // Over time: a fixed height; categories down the side: a height from their number (Vega-Lite's step).
  const overTime = (view.encoding as { x?: { type?: string } } | undefined)?.x?.type === 'temporal';
  return {
    $schema: VEGA_LITE_SCHEMA,
    description: chart.description[language],
    width: 'container',
    ...(overTime ? { height: 260 } : {}),
    autosize: { type: 'fit-x', contains: 'padding' },
    data: { name: 'rows' },
    ...view,
  };
}

/** Every chart of every dashboard, in dashboard order. */
export function chartsOf(dashboard: string): ChartDefinition[] {
  return CHARTS.filter((c) => c.dashboard === dashboard);
}
