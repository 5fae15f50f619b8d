/**
 * What Kibana and OpenSearch Dashboards do to a Vega spec's context-aware query before sending it, for running the
 * charts' queries outside them (the tests run every one against the real engine): `%context%: true` becomes a
 * `query` with the dashboard's filters and the time picker's range on `%timefield%`; `interval:
 * {%autointerval%: true}` in a date histogram becomes an interval for about 50 buckets (written as each host
 * writes it); `{%timefilter%: "min"|"max"}` becomes the range's bound.
 */

export interface DashboardContext {
  /** Time picker range, epoch milliseconds (from inclusive, to inclusive as the hosts send it). */
  from: number;
  to: number;
  /** Dashboard filters (query DSL), ANDed. */
  filters?: unknown[];
  /**
   * Which host's rewrite of `interval`: Kibana 8 writes `fixed_interval` (or `calendar_interval` for w, M, q, y),
   * as Elasticsearch 8 requires; OpenSearch Dashboards 2 keeps the legacy `interval`, which OpenSearch 2 takes.
   */
  host: 'kibana' | 'opensearch-dashboards';
}

export interface ResolvedSearch {
  index: string;
  body: Record<string, unknown>;
}

/** Bucket length for a target bucket length in ms, as both hosts round it (upper bounds, then the interval). */
const ROUNDED_INTERVALS: Array<[number, string]> = [
  [500, '100ms'], [5_000, '1s'], [7_500, '5s'], [15_000, '10s'], [45_000, '30s'], [180_000, '1m'], [450_000, '5m'],
  [1_200_000, '10m'], [2_700_000, '30m'], [7_200_000, '1h'], [21_600_000, '3h'], [86_400_000, '12h'],
  [604_800_000, '24h'], [1_814_400_000, '1w'], [3_628_800_000 - 1, '30d'],
];

/** The interval `{%autointerval%: true}` stands for: about 50 buckets over the time picker's range. */
export function autoInterval(from: number, to: number, buckets = 50): string {
  const target = (to - from) / buckets;
  return ROUNDED_INTERVALS.find(([bound]) => target <= bound)?.[1] ?? '1y';
}

interface Substitution {
  from: number;
  to: number;
  host: DashboardContext['host'];
}

function intervalFields(interval: string, host: DashboardContext['host']): Record<string, string> {
  if (host === 'opensearch-dashboards') return { interval };
  return /^1?[wMqy]$/.test(interval) ? { calendar_interval: interval } : { fixed_interval: interval };
}

function substitute(value: unknown, context: Substitution, parentKey?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => substitute(v, context));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  if ('%timefilter%' in object) {
    const bound = object['%timefilter%'];
    if (bound !== 'min' && bound !== 'max') throw new Error(`%timefilter% takes "min" or "max", not ${JSON.stringify(bound)}`);
    return bound === 'min' ? context.from : context.to;
  }
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(object)) {
    const auto = inner !== null && typeof inner === 'object' ? (inner as Record<string, unknown>)['%autointerval%'] : undefined;
    if (key === 'interval' && parentKey === 'date_histogram' && auto !== undefined) {
      const size = auto === true ? 50 : auto;
      if (typeof size !== 'number') throw new Error('%autointerval% takes true or a number of buckets');
      Object.assign(out, intervalFields(autoInterval(context.from, context.to, size), context.host));
    } else {
      out[key] = substitute(inner, context, key);
    }
  }
  return out;
}

/** The search a host sends for a spec's `data.url`, under the dashboard context. */
export function resolveContextQuery(url: Record<string, unknown>, context: DashboardContext): ResolvedSearch {
  const { index, body } = url as { index: string; body: Record<string, unknown> };
  if (typeof index !== 'string') throw new Error('a context-aware query needs an index');
  const resolved = substitute(body, { from: context.from, to: context.to, host: context.host }) as Record<string, unknown>;
  if (url['%context%'] === true) {
    if ('query' in resolved) throw new Error('with %context%: true the body must not have a query (the hosts refuse it)');
    const timefield = url['%timefield%'];
    const filter: unknown[] = [...(context.filters ?? [])];
    if (typeof timefield === 'string') {
      filter.push({ range: { [timefield]: { gte: context.from, lte: context.to, format: 'epoch_millis' } } });
    }
    resolved['query'] = { bool: { must: [], filter, should: [], must_not: [] } };
  }
  return { index, body: resolved };
}
