import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lang, Platform, type TagpulseConfig } from '../../schemas/index.js';
import { CHARTS, DASHBOARDS } from '../charts.js';
import { chartContext, webSpec } from '../specs.js';

/**
 * Tagpulse's own dashboard page, served at `/` by `tagpulse serve` beside the API: the page, its script and
 * styles (dashboards/web/assets/), the vega and vega-lite libraries from node_modules (no CDN: it works
 * offline), the chart definitions as JSON (/dashboards/charts.json) and the abuse methodology it links.
 */

const ASSETS_DIR = join('dashboards', 'web', 'assets');

/** The package root (the folder with package.json and dashboards/web/assets/), from src or dist alike. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, ASSETS_DIR))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`the dashboard page's assets (${ASSETS_DIR}) are not above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

/** Vega compiles its expressions with the Function constructor, hence 'unsafe-eval'; its SVG sets style attributes. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

interface Served {
  body: Buffer;
  type: string;
}

/** What the page reads to build itself: dashboards, charts (titles, columns, the web spec), families, filters. */
export function pageDefinition(config: TagpulseConfig) {
  const context = chartContext(config);
  return {
    dashboards: DASHBOARDS,
    charts: CHARTS.map((chart) => ({
      id: chart.id,
      dashboard: chart.dashboard,
      grammar: chart.grammar,
      title: chart.title,
      description: chart.description,
      columns: chart.columns,
      spec: webSpec(chart, context),
    })),
    families: context.families.map((f) => ({ name: f.name, keys: f.keys, description: config.families[f.name]?.description ?? null })),
    platforms: Platform.options,
    langs: Lang.options,
  };
}

/** The static handler for createApiService's `statics`: answers GET and HEAD of the page's paths, nothing else. */
export function dashboardPage(config: TagpulseConfig, root = packageRoot()) {
  const file = (...path: string[]) => (): Served => ({ body: readFileSync(join(root, ...path)), type: TYPES[path[path.length - 1]!.replace(/^.*(\.[a-z]+)$/, '$1')]! });
  const routes: Record<string, () => Served> = {
    '/': file(ASSETS_DIR, 'index.html'),
    '/index.html': file(ASSETS_DIR, 'index.html'),
    '/assets/app.js': file(ASSETS_DIR, 'app.js'),
    '/assets/i18n.js': file(ASSETS_DIR, 'i18n.js'),
    '/assets/style.css': file(ASSETS_DIR, 'style.css'),
    '/vendor/vega.min.js': file('node_modules', 'vega', 'build', 'vega.min.js'),
    '/vendor/vega-lite.min.js': file('node_modules', 'vega-lite', 'build', 'vega-lite.min.js'),
    '/docs/abuse-methodology.md': file('docs', 'abuse-methodology.md'),
    '/dashboards/charts.json': () => ({ body: Buffer.from(JSON.stringify(pageDefinition(config))), type: TYPES['.json']! }),
  };
  const cache = new Map<string, Served>();
  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const route = routes[path];
    if (!route) return false;
    let served = cache.get(path);
    if (!served) {
      served = route();
      cache.set(path, served);
    }
    response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': served.type, 'content-length': served.body.length, 'cache-control': 'no-cache' });
    response.end(request.method === 'HEAD' ? undefined : served.body);
    return true;
  };
}
