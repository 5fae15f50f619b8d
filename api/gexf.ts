import type { CooccurrenceAnswer } from '../schemas/index.js';

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const EDGE_MEASURES = ['pmi', 'npmi', 'lift', 'jaccard'] as const;

/**
 * A co-occurrence answer as GEXF 1.3 for Gephi: the tag and its partners as nodes (with the posts carrying each),
 * one undirected edge per partner weighted by the pair count, with the measures as edge attributes.
 */
export function cooccurrenceGexf(answer: CooccurrenceAnswer): string {
  const focal = answer.query.tags[0]!.key;
  const own = answer.rows[0]?.count_a ?? 0;
  const nodes = [
    `      <node id="${xml(focal)}" label="${xml(focal)}"><attvalues><attvalue for="posts" value="${own}"/></attvalues></node>`,
    ...answer.rows.map((r) => `      <node id="${xml(r.tag_b)}" label="${xml(r.tag_b)}"><attvalues><attvalue for="posts" value="${r.count_b}"/></attvalues></node>`),
  ];
  const edges = answer.rows.map(
    (r, i) =>
      `      <edge id="${i}" source="${xml(focal)}" target="${xml(r.tag_b)}" weight="${r.count}"><attvalues>` +
      EDGE_MEASURES.map((m) => `<attvalue for="${m}" value="${r[m]}"/>`).join('') +
      '</attvalues></edge>',
  );
  const { from, to, platforms } = answer.query;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<gexf xmlns="http://gexf.net/1.3" version="1.3">',
    `  <meta lastmodifieddate="${answer.meta.generated_at.slice(0, 10)}"><creator>Tagpulse</creator>`,
    `    <description>${xml(`Co-occurrence partners of ${focal}, ${from ?? 'beginning'} to ${to}, platforms ${platforms.length ? platforms.join(', ') : 'all'}`)}</description></meta>`,
    '  <graph defaultedgetype="undirected" mode="static">',
    '    <attributes class="node"><attribute id="posts" title="posts" type="long"/></attributes>',
    `    <attributes class="edge">${EDGE_MEASURES.map((m) => `<attribute id="${m}" title="${m}" type="double"/>`).join('')}</attributes>`,
    '    <nodes>',
    ...nodes,
    '    </nodes>',
    '    <edges>',
    ...edges,
    '    </edges>',
    '  </graph>',
    '</gexf>',
    '',
  ].join('\n');
}
