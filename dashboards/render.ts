import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

/**
 * Runs a chart spec headless with the vega and vega-lite libraries (as Kibana, OpenSearch Dashboards and the
 * web page do in a browser), for checking that it compiles and draws: Vega-Lite is compiled to Vega, the Vega
 * spec parsed and run without a renderer.
 */

type Spec = Record<string, unknown>;

export function toVega(spec: Spec): vega.Spec {
  const schema = String(spec['$schema'] ?? '');
  return schema.includes('vega-lite') ? (vegaLite.compile(spec as unknown as vegaLite.TopLevelSpec).spec as vega.Spec) : (spec as vega.Spec);
}

export async function runSpec(spec: Spec): Promise<vega.View> {
  const view = new vega.View(vega.parse(toVega(spec)), { renderer: 'none' });
  await view.runAsync();
  return view;
}

interface SceneItem {
  marktype?: string;
  role?: string;
  name?: string;
  items?: SceneItem[];
}

/** Items drawn by data marks (not axes, legends or titles), by mark type. */
export function drawnMarks(view: vega.View): Record<string, number> {
  const counts: Record<string, number> = {};
  const visit = (node: SceneItem, inGuide: boolean) => {
    const guide = inGuide || (node.role !== undefined && /axis|legend|title/.test(node.role));
    if (node.marktype && node.marktype !== 'group' && node.role === 'mark' && !guide) {
      counts[node.marktype] = (counts[node.marktype] ?? 0) + (node.items?.length ?? 0);
    }
    for (const item of node.items ?? []) visit(item, guide);
  };
  visit((view.scenegraph() as unknown as { root: SceneItem }).root, false);
  return counts;
}
