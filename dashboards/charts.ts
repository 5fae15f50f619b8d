/**
 * The charts of Tagpulse's dashboards, each defined once: a search part (an aggregation over one metric index, in
 * the context-aware query syntax Kibana's and OpenSearch Dashboards' Vega visualisations accept: `%context%`,
 * `%timefield%`, `%autointerval%`, `%timefilter%`) with the transforms that turn its buckets into rows, and a
 * drawing part (a Vega-Lite or Vega view over those rows). The saved objects (saved-objects.ts) join both; the
 * web page (web/) draws the same view over rows it builds from the HTTP API. docs/dashboards.md lists the rows
 * each chart draws.
 */

export type Language = 'kk' | 'ru' | 'en';
export const LANGUAGES: readonly Language[] = ['kk', 'ru', 'en'];
export type Localised = Record<Language, string>;

export type DashboardId = 'campaign-overview' | 'abuse-toward-women';

export interface DashboardDefinition {
  id: DashboardId;
  title: Localised;
  description: Localised;
}

export const DASHBOARDS: readonly DashboardDefinition[] = [
  {
    id: 'campaign-overview',
    title: { en: 'Campaign overview', ru: 'Обзор кампаний', kk: 'Науқандарға шолу' },
    description: {
      en: 'Posts per tag family over time with spikes marked, platforms and languages, the tags used together with them and their network.',
      ru: 'Посты по семействам тегов во времени с отмеченными всплесками, платформы и языки, теги, которые используют вместе с ними, и их сеть.',
      kk: 'Тег топтары бойынша жазбалар уақыт бойынша (шарықтаулар белгіленген), платформалар мен тілдер, бірге қолданылатын тегтер және олардың желісі.',
    },
  },
  {
    id: 'abuse-toward-women',
    title: { en: 'Abuse toward women', ru: 'Оскорбления в адрес женщин', kk: 'Әйелдерге бағытталған қорлау' },
    description: {
      en: 'Share of posts abusive toward women with its 95% interval, the categories of abuse, platforms and the campaigns most affected.',
      ru: 'Доля постов с оскорблениями в адрес женщин с 95% интервалом, категории оскорблений, платформы и самые затронутые кампании.',
      kk: 'Әйелдерге бағытталған қорлау жазбаларының үлесі (95% аралығымен), қорлау санаттары, платформалар және ең көп зардап шеккен науқандар.',
    },
  },
];

/** What the charts are generated for: the index prefix, the tracked families with their keys, the abuse categories. */
export interface ChartContext {
  indexPrefix: string;
  families: ReadonlyArray<{ name: string; keys: readonly string[] }>;
  categories: readonly string[];
}

export type ColumnType = 'text' | 'number' | 'time' | 'share' | 'flag';

export interface Column {
  field: string;
  type: ColumnType;
  title: Localised;
}

/** The search half of a chart: where and what it asks, and how the answer's buckets become rows. */
export interface ChartSearch {
  /** Logical index (`metrics-volume`); the alias is `<prefix>-<index>`. */
  index: string;
  /** The search body; `query` is left to `%context%` (dashboard filters and the time picker on `windowStart`). */
  body: Record<string, unknown>;
  /** Where the buckets are in the answer (Vega's `format.property`). */
  property: string;
  /** Vega-Lite (or Vega, for a Vega chart) transforms from the buckets to the chart's rows. */
  toRows: unknown[];
}

export interface ChartDefinition {
  id: string;
  dashboard: DashboardId;
  grammar: 'vega-lite' | 'vega';
  title: Localised;
  description: Localised;
  /** The fields of the chart's rows, in table and CSV order. */
  columns: readonly Column[];
  search(context: ChartContext): ChartSearch;
  /** The drawing over the rows: a Vega-Lite unit or layer without `data`, or for Vega a spec whose `rows` dataset holds the rows. */
  view(context: ChartContext): Record<string, unknown>;
}

export const TIME_FIELD = 'windowStart';
export const FAMILY_PREFIX = 'family:';
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
export const VEGA_SCHEMA = 'https://vega.github.io/schema/vega/v5.json';

/** A spike: at least SPIKE_MIN_POSTS posts, above twice the mean and the mean plus 3 standard deviations of the SPIKE_WINDOW buckets before. */
export const SPIKE_MIN_POSTS = 10;
export const SPIKE_WINDOW = 7;

const T = (en: string, ru: string, kk: string): Localised => ({ en, ru, kk });

const COLUMN = {
  series: { field: 'series', type: 'text', title: T('Campaign', 'Кампания', 'Науқан') },
  bucket: { field: 'bucket_start', type: 'time', title: T('Period start', 'Начало периода', 'Кезең басы') },
  posts: { field: 'posts', type: 'number', title: T('Posts', 'Посты', 'Жазбалар') },
  platform: { field: 'platform', type: 'text', title: T('Platform', 'Платформа', 'Платформа') },
  lang: { field: 'lang', type: 'text', title: T('Language', 'Язык', 'Тіл') },
  tag: { field: 'tag', type: 'text', title: T('Tag', 'Тег', 'Тег') },
  partner: { field: 'partner', type: 'text', title: T('Used with', 'Вместе с', 'Бірге') },
  count: { field: 'count', type: 'number', title: T('Posts with both', 'Посты с обоими', 'Екеуі бар жазбалар') },
  towardWomen: { field: 'toward_women', type: 'number', title: T('Abusive toward women', 'Оскорбления в адрес женщин', 'Әйелдерге қорлау') },
  abusive: { field: 'abusive', type: 'number', title: T('Abusive', 'Оскорбительные', 'Қорлайтын') },
  share: { field: 'share', type: 'share', title: T('Share toward women', 'Доля в адрес женщин', 'Әйелдерге үлесі') },
  ciLow: { field: 'ci_low', type: 'share', title: T('95% interval, low', '95% интервал, от', '95% аралық, төмен') },
  ciHigh: { field: 'ci_high', type: 'share', title: T('95% interval, high', '95% интервал, до', '95% аралық, жоғары') },
  category: { field: 'category', type: 'text', title: T('Category', 'Категория', 'Санат') },
  campaign: { field: 'campaign', type: 'text', title: T('Campaign', 'Кампания', 'Науқан') },
  spike: { field: 'spike', type: 'flag', title: T('Spike', 'Всплеск', 'Шарықтау') },
} as const satisfies Record<string, Column>;

const familyCells = (context: ChartContext) => context.families.map((f) => `${FAMILY_PREFIX}${f.name}`);
const allKeys = (context: ChartContext) => [...new Set(context.families.flatMap((f) => f.keys))].sort();
const sum = (field: string) => ({ sum: { field } });

/** A date histogram whose interval and bounds follow the dashboard's time picker. */
const timeBuckets = (aggs: Record<string, unknown>) => ({
  date_histogram: {
    field: TIME_FIELD,
    interval: { '%autointerval%': true },
    extended_bounds: { min: { '%timefilter%': 'min' }, max: { '%timefilter%': 'max' } },
    min_doc_count: 0,
  },
  aggs,
});

/** A Vega expression string literal. */
const lit = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The family of a canonical key, as a Vega expression over `field` (the first family in config order when several share it). */
function familyOfKey(context: ChartContext, field: string): string {
  let expression = field;
  for (const family of [...context.families].reverse()) {
    const keys = `[${family.keys.map(lit).join(', ')}]`;
    expression = `indexof(${keys}, ${field}) >= 0 ? ${lit(family.name)} : (${expression})`;
  }
  return expression;
}

/** Share toward women and its Wilson 95% interval from `posts` and `toward_women` (the same as the API's, api/measures.ts). */
const Z = 1.959963984540054;
const Z2 = Z * Z;
const SHARE_TRANSFORMS = [
  { calculate: 'datum.posts > 0 ? datum.toward_women / datum.posts : null', as: 'share' },
  { calculate: `datum.posts > 0 ? 1 + ${Z2} / datum.posts : null`, as: 'wilson_d' },
  { calculate: `datum.posts > 0 ? datum.share + ${Z2} / (2 * datum.posts) : null`, as: 'wilson_c' },
  {
    calculate: `datum.posts > 0 ? ${Z} * sqrt(datum.share * (1 - datum.share) / datum.posts + ${Z2} / (4 * datum.posts * datum.posts)) : null`,
    as: 'wilson_s',
  },
  { calculate: 'datum.posts > 0 ? max(0, (datum.wilson_c - datum.wilson_s) / datum.wilson_d) : null', as: 'ci_low' },
  { calculate: 'datum.posts > 0 ? min(1, (datum.wilson_c + datum.wilson_s) / datum.wilson_d) : null', as: 'ci_high' },
];

const percent = { format: '.1%' };

type Tip = [field: string, type: 'nominal' | 'quantitative' | 'temporal', format?: string];
/** What a share tooltip shows after the bucket or category. */
const SHARE_TIPS: Tip[] = [
  ['posts', 'quantitative'],
  ['toward_women', 'quantitative'],
  ['share', 'quantitative', '.1%'],
  ['ci_low', 'quantitative', '.1%'],
  ['ci_high', 'quantitative', '.1%'],
];
const tooltip = (...tips: Tip[]) => tips.map(([field, type, format]) => ({ field, type, ...(format ? { format } : {}) }));

/** Horizontal bars: `x` per category `y`, the categories down the side (largest first unless `sort` says otherwise). */
function bars(y: string, x: string, options: { mark?: Record<string, unknown>; color?: string; sort?: unknown; tips: Tip[] }): Record<string, unknown> {
  return {
    mark: { type: 'bar', ...options.mark },
    encoding: {
      y: { field: y, type: 'nominal', sort: options.sort ?? '-x', title: null },
      x: { field: x, type: 'quantitative', title: null, ...(options.sort === null ? { stack: 'zero' } : {}) },
      ...(options.color ? { color: { field: options.color, type: 'nominal', title: null, legend: { orient: 'top' } } } : {}),
      tooltip: tooltip(...options.tips),
    },
  };
}

const volume: ChartDefinition = {
  id: 'volume',
  dashboard: 'campaign-overview',
  grammar: 'vega-lite',
  title: T('Posts over time per tag family', 'Посты во времени по семействам тегов', 'Тег топтары бойынша жазбалар уақыт бойынша'),
  description: T(
    `Triangles mark spikes: at least ${SPIKE_MIN_POSTS} posts, over twice the mean and over the mean plus three standard deviations of the ${SPIKE_WINDOW} periods before.`,
    `Треугольники отмечают всплески: не меньше ${SPIKE_MIN_POSTS} постов, больше удвоенного среднего и больше среднего плюс три стандартных отклонения за ${SPIKE_WINDOW} предыдущих периодов.`,
    `Үшбұрыштар шарықтауды белгілейді: кемінде ${SPIKE_MIN_POSTS} жазба, алдыңғы ${SPIKE_WINDOW} кезеңнің орташасынан екі есе және орташа мен үш стандартты ауытқудан көп.`,
  ),
  columns: [COLUMN.series, COLUMN.bucket, COLUMN.posts, COLUMN.spike],
  search: (context) => ({
    index: 'metrics-volume',
    body: {
      size: 0,
      aggs: {
        scope: {
          filter: { terms: { tag: familyCells(context) } },
          aggs: { series: { terms: { field: 'tag', size: Math.max(1, context.families.length) }, aggs: { time: timeBuckets({ posts: sum('posts') }) } } },
        },
      },
    },
    property: 'aggregations.scope.series.buckets',
    toRows: [
      { flatten: ['time.buckets'], as: ['bucket'] },
      { calculate: `replace(datum.key, ${lit(FAMILY_PREFIX)}, '')`, as: 'series' },
      { calculate: 'datum.bucket.key', as: 'bucket_start' },
      { calculate: 'datum.bucket.posts.value', as: 'posts' },
    ],
  }),
  view: () => ({
    // Vega 5 mis-reads a window frame ending before the current row ([-7, -1] runs to +1), so the frame is
    // [-SPIKE_WINDOW, 0] and the current bucket is taken out of the sums again.
    transform: [
      { calculate: 'datum.posts * datum.posts', as: 'posts_squared' },
      {
        window: [
          { op: 'sum', field: 'posts', as: 'frame_sum' },
          { op: 'sum', field: 'posts_squared', as: 'frame_squares' },
          { op: 'count', field: 'posts', as: 'frame_count' },
        ],
        frame: [-SPIKE_WINDOW, 0],
        ignorePeers: true,
        groupby: ['series'],
        sort: [{ field: 'bucket_start', order: 'ascending' }],
      },
      { calculate: 'datum.frame_count - 1', as: 'history' },
      { calculate: 'datum.history > 0 ? (datum.frame_sum - datum.posts) / datum.history : null', as: 'baseline' },
      {
        calculate:
          'datum.history > 1 ? sqrt(max(0, (datum.frame_squares - datum.posts_squared - datum.history * datum.baseline * datum.baseline) / (datum.history - 1))) : 0',
        as: 'spread',
      },
      {
        calculate: `datum.history >= 3 && datum.posts >= ${SPIKE_MIN_POSTS} && datum.posts > 2 * datum.baseline && datum.posts > datum.baseline + 3 * datum.spread`,
        as: 'spike',
      },
    ],
    encoding: {
      x: { field: 'bucket_start', type: 'temporal', title: null },
      y: { field: 'posts', type: 'quantitative', title: null },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'top' } },
    },
    layer: [
      { mark: { type: 'line' } },
      {
        transform: [{ filter: 'datum.spike' }],
        mark: { type: 'point', shape: 'triangle-up', size: 140, filled: true, color: '#c62828', opacity: 1 },
        encoding: {
          tooltip: tooltip(['series', 'nominal'], ['bucket_start', 'temporal'], ['posts', 'quantitative']),
        },
      },
    ],
  }),
};

/** Posts per family cell split by a dimension of the volume index. */
function volumeSplit(id: string, field: 'platform' | 'lang', title: Localised, description: Localised): ChartDefinition {
  const column = field === 'platform' ? COLUMN.platform : COLUMN.lang;
  return {
    id,
    dashboard: 'campaign-overview',
    grammar: 'vega-lite',
    title,
    description,
    columns: [COLUMN.series, column, COLUMN.posts],
    search: (context) => ({
      index: 'metrics-volume',
      body: {
        size: 0,
        aggs: {
          scope: {
            filter: { terms: { tag: familyCells(context) } },
            aggs: {
              series: {
                terms: { field: 'tag', size: Math.max(1, context.families.length) },
                aggs: { split: { terms: { field, size: 20 }, aggs: { posts: sum('posts') } } },
              },
            },
          },
        },
      },
      property: 'aggregations.scope.series.buckets',
      toRows: [
        { flatten: ['split.buckets'], as: ['part'] },
        { calculate: `replace(datum.key, ${lit(FAMILY_PREFIX)}, '')`, as: 'series' },
        { calculate: 'datum.part.key', as: field },
        { calculate: 'datum.part.posts.value', as: 'posts' },
      ],
    }),
    view: () => bars('series', 'posts', { color: field, sort: null, tips: [['series', 'nominal'], [field, 'nominal'], ['posts', 'quantitative']] }),
  };
}

const platforms = volumeSplit(
  'platforms',
  'platform',
  T('Platforms', 'Платформы', 'Платформалар'),
  T('Posts per platform in the period.', 'Посты по платформам за период.', 'Кезеңдегі платформалар бойынша жазбалар.'),
);

const languages = volumeSplit(
  'languages',
  'lang',
  T('Languages', 'Языки', 'Тілдер'),
  T(
    'Posts per language (kk Kazakh, ru Russian, en English, other) in the period.',
    'Посты по языкам (kk казахский, ru русский, en английский, other другие) за период.',
    'Кезеңдегі тілдер бойынша жазбалар (kk қазақ, ru орыс, en ағылшын, other басқа).',
  ),
);

/**
 * Top pairs of a tracked key with another tag, from the co-occurrence index (pairs are stored ordered, so the
 * tracked key is either side). The diagonal cells (a, a) hold each key's own count and are left out.
 */
function pairsSearch(context: ChartContext, size: number): ChartSearch {
  const keys = allKeys(context);
  const keyList = `[${keys.map(lit).join(', ')}]`;
  return {
    index: 'metrics-cooccurrence',
    body: {
      size: 0,
      aggs: {
        scope: {
          filter: { bool: { should: [{ terms: { tagA: keys } }, { terms: { tagB: keys } }], minimum_should_match: 1 } },
          aggs: {
            pairs: {
              multi_terms: { terms: [{ field: 'tagA' }, { field: 'tagB' }], size: size + keys.length, order: { count: 'desc' } },
              aggs: { count: sum('count') },
            },
          },
        },
      },
    },
    property: 'aggregations.scope.pairs.buckets',
    toRows: [
      { filter: 'datum.key[0] != datum.key[1]' },
      { calculate: `indexof(${keyList}, datum.key[0]) >= 0 ? datum.key[0] : datum.key[1]`, as: 'tag' },
      { calculate: `datum.tag == datum.key[0] ? datum.key[1] : datum.key[0]`, as: 'partner' },
      { calculate: 'datum.count.value', as: 'count' },
    ],
  };
}

const partners: ChartDefinition = {
  id: 'partners',
  dashboard: 'campaign-overview',
  grammar: 'vega-lite',
  title: T('Tags used together', 'Теги, используемые вместе', 'Бірге қолданылатын тегтер'),
  description: T(
    'The tags most often in the same post as the campaign tags: posts carrying both.',
    'Теги, которые чаще всего стоят в одном посте с тегами кампании: число постов с обоими.',
    'Науқан тегтерімен бір жазбада жиі кездесетін тегтер: екеуі де бар жазбалар саны.',
  ),
  columns: [COLUMN.tag, COLUMN.partner, COLUMN.count],
  search: (context) => pairsSearch(context, 20),
  view: () => ({
    transform: [
      { calculate: "datum.tag + ' + ' + datum.partner", as: 'pair' },
      { window: [{ op: 'row_number', as: 'rank' }], sort: [{ field: 'count', order: 'descending' }, { field: 'pair', order: 'ascending' }] },
      { filter: 'datum.rank <= 20' },
    ],
    ...bars('pair', 'count', { color: 'tag', tips: [['tag', 'nominal'], ['partner', 'nominal'], ['count', 'quantitative']] }),
  }),
};

const network: ChartDefinition = {
  id: 'network',
  dashboard: 'campaign-overview',
  grammar: 'vega',
  title: T('Co-occurrence network', 'Сеть совместного использования', 'Бірге қолдану желісі'),
  description: T(
    'Tags as circles sized by their posts in these pairs, lines between tags used in the same posts, thicker for more posts.',
    'Теги — круги (размер по числу постов в этих парах), линии соединяют теги из одних постов, толще — больше постов.',
    'Тегтер — шеңберлер (өлшемі осы жұптардағы жазбаларға қарай), сызықтар бір жазбадағы тегтерді қосады, қалыңы — жазбасы көп.',
  ),
  columns: [COLUMN.tag, COLUMN.partner, COLUMN.count],
  search: (context) => {
    const pairs = pairsSearch(context, 60);
    // The same buckets-to-rows step as a Vega dataset: Vega's own transforms instead of Vega-Lite's.
    return {
      ...pairs,
      toRows: [
        { type: 'filter', expr: 'datum.key[0] != datum.key[1]' },
        { type: 'formula', expr: (pairs.toRows[1] as { calculate: string }).calculate, as: 'tag' },
        { type: 'formula', expr: 'datum.tag == datum.key[0] ? datum.key[1] : datum.key[0]', as: 'partner' },
        { type: 'formula', expr: 'datum.count.value', as: 'count' },
      ],
    };
  },
  view: () => ({
    padding: 8,
    data: [
      { name: 'edges', source: 'rows', transform: [{ type: 'collect', sort: { field: ['tag', 'partner'] } }] },
      {
        name: 'nodes',
        source: 'edges',
        transform: [
          { type: 'fold', fields: ['tag', 'partner'], as: ['role', 'name'] },
          { type: 'aggregate', groupby: ['name'], fields: ['count'], ops: ['sum'], as: ['weight'] },
          { type: 'collect', sort: { field: 'name' } },
          { type: 'window', ops: ['row_number'], as: ['order'] },
          { type: 'formula', expr: 'datum.order - 1', as: 'index' },
        ],
      },
      {
        name: 'links',
        source: 'edges',
        transform: [
          { type: 'lookup', from: 'nodes', key: 'name', fields: ['tag', 'partner'], as: ['from', 'to'] },
          { type: 'formula', expr: 'datum.from.index', as: 'source' },
          { type: 'formula', expr: 'datum.to.index', as: 'target' },
        ],
      },
    ],
    scales: [
      { name: 'size', type: 'sqrt', domain: { data: 'nodes', field: 'weight' }, range: [60, 900] },
      { name: 'stroke', type: 'linear', domain: { data: 'links', field: 'count' }, range: [0.5, 6] },
    ],
    marks: [
      {
        name: 'node',
        type: 'symbol',
        zindex: 1,
        from: { data: 'nodes' },
        encode: {
          enter: { fill: { value: '#1f6fb2' }, stroke: { value: '#ffffff' }, tooltip: { signal: "datum.name + ': ' + datum.weight" } },
          update: { size: { scale: 'size', field: 'weight' } },
        },
        transform: [
          {
            type: 'force',
            iterations: 300,
            static: true,
            signal: 'force',
            forces: [
              { force: 'center', x: { signal: 'width / 2' }, y: { signal: 'height / 2' } },
              { force: 'collide', radius: 14 },
              { force: 'nbody', strength: -60 },
              { force: 'link', links: 'links', distance: 70 },
            ],
          },
        ],
      },
      {
        type: 'path',
        from: { data: 'links' },
        interactive: false,
        encode: { update: { stroke: { value: '#8a94a6' }, strokeWidth: { scale: 'stroke', field: 'count' }, strokeOpacity: { value: 0.7 } } },
        transform: [
          {
            type: 'linkpath',
            require: { signal: 'force' },
            shape: 'line',
            sourceX: 'datum.source.x',
            sourceY: 'datum.source.y',
            targetX: 'datum.target.x',
            targetY: 'datum.target.y',
          },
        ],
      },
      {
        type: 'text',
        from: { data: 'node' },
        zindex: 2,
        interactive: false,
        encode: {
          update: {
            x: { field: 'x' },
            y: { field: 'y', offset: -12 },
            text: { field: 'datum.name' },
            align: { value: 'center' },
            fontSize: { value: 11 },
            fill: { value: '#1b1b1b' },
          },
        },
      },
    ],
  }),
};

/** Abuse cells of every tracked key (a post with keys of two families counts under both). */
const abuseScope = (context: ChartContext) => ({ terms: { tag: allKeys(context) } });
const abuseSums = { posts: sum('posts'), abusive: sum('abusive'), toward_women: sum('abusiveTowardWomen') };
/** The sums of abuseSums as row fields. */
const ABUSE_COUNTS = [
  { calculate: 'datum.posts.value', as: 'posts' },
  { calculate: 'datum.toward_women.value', as: 'toward_women' },
];
const SHARE_COLUMNS = [COLUMN.posts, COLUMN.towardWomen, COLUMN.share, COLUMN.ciLow, COLUMN.ciHigh];

const abuseShare: ChartDefinition = {
  id: 'abuse-share',
  dashboard: 'abuse-toward-women',
  grammar: 'vega-lite',
  title: T('Share of posts abusive toward women', 'Доля постов с оскорблениями в адрес женщин', 'Әйелдерге қорлау жазбаларының үлесі'),
  description: T(
    'The line is the share of classified posts found abusive toward women; the band is its Wilson 95% interval.',
    'Линия — доля классифицированных постов с оскорблениями в адрес женщин; полоса — её 95% интервал Уилсона.',
    'Сызық — әйелдерге қорлау деп танылған жазбалардың үлесі; жолақ — оның Уилсон 95% аралығы.',
  ),
  columns: [COLUMN.bucket, ...SHARE_COLUMNS],
  search: (context) => ({
    index: 'metrics-abuse',
    body: { size: 0, aggs: { scope: { filter: abuseScope(context), aggs: { time: timeBuckets(abuseSums) } } } },
    property: 'aggregations.scope.time.buckets',
    toRows: [
      { calculate: 'datum.key', as: 'bucket_start' },
      ...ABUSE_COUNTS,
    ],
  }),
  view: () => ({
    transform: SHARE_TRANSFORMS,
    encoding: { x: { field: 'bucket_start', type: 'temporal', title: null } },
    layer: [
      {
        mark: { type: 'area', opacity: 0.25, color: '#8e24aa' },
        encoding: { y: { field: 'ci_low', type: 'quantitative', title: null, axis: percent }, y2: { field: 'ci_high' } },
      },
      {
        mark: { type: 'line', color: '#6a1b9a', point: true },
        encoding: {
          y: { field: 'share', type: 'quantitative' },
          tooltip: tooltip(['bucket_start', 'temporal'], ...SHARE_TIPS),
        },
      },
    ],
  }),
};

const abuseCategories: ChartDefinition = {
  id: 'abuse-categories',
  dashboard: 'abuse-toward-women',
  grammar: 'vega-lite',
  title: T('Categories of abuse', 'Категории оскорблений', 'Қорлау санаттары'),
  description: T(
    'Abusive posts per category; a post may be in several (docs/abuse-methodology.md defines them).',
    'Оскорбительные посты по категориям; пост может попасть в несколько (определения — docs/abuse-methodology.md).',
    'Санаттар бойынша қорлайтын жазбалар; бір жазба бірнеше санатта болуы мүмкін (анықтамалары — docs/abuse-methodology.md).',
  ),
  columns: [COLUMN.category, COLUMN.abusive],
  search: (context) => ({
    index: 'metrics-abuse',
    body: {
      size: 0,
      aggs: { scope: { filter: abuseScope(context), aggs: Object.fromEntries(context.categories.map((c) => [c, sum(`categories.${c}`)])) } },
    },
    property: 'aggregations.scope',
    toRows: [
      { fold: context.categories.map((c) => `${c}.value`), as: ['field', 'value'] },
      { calculate: "replace(datum.field, '.value', '')", as: 'category' },
      { calculate: 'datum.value', as: 'abusive' },
    ],
  }),
  view: () => bars('category', 'abusive', { mark: { color: '#ad1457' }, tips: [['category', 'nominal'], ['abusive', 'quantitative']] }),
};

const abusePlatforms: ChartDefinition = {
  id: 'abuse-platforms',
  dashboard: 'abuse-toward-women',
  grammar: 'vega-lite',
  title: T('Abuse toward women per platform', 'Оскорбления в адрес женщин по платформам', 'Платформалар бойынша әйелдерге қорлау'),
  description: T(
    'Share of classified posts abusive toward women on each platform, with its 95% interval.',
    'Доля классифицированных постов с оскорблениями в адрес женщин на каждой платформе с 95% интервалом.',
    'Әр платформадағы әйелдерге қорлау жазбаларының үлесі, 95% аралығымен.',
  ),
  columns: [COLUMN.platform, ...SHARE_COLUMNS],
  search: (context) => ({
    index: 'metrics-abuse',
    body: { size: 0, aggs: { scope: { filter: abuseScope(context), aggs: { platforms: { terms: { field: 'platform', size: 20 }, aggs: abuseSums } } } } },
    property: 'aggregations.scope.platforms.buckets',
    toRows: [
      { calculate: 'datum.key', as: 'platform' },
      ...ABUSE_COUNTS,
    ],
  }),
  view: () => shareBars('platform'),
};

const abuseCampaigns: ChartDefinition = {
  id: 'abuse-campaigns',
  dashboard: 'abuse-toward-women',
  grammar: 'vega-lite',
  title: T('Campaigns most affected', 'Самые затронутые кампании', 'Ең көп зардап шеккен науқандар'),
  description: T(
    'Share of classified posts abusive toward women in each campaign (tag family), with its 95% interval.',
    'Доля классифицированных постов с оскорблениями в адрес женщин в каждой кампании (семействе тегов) с 95% интервалом.',
    'Әр науқандағы (тег тобындағы) әйелдерге қорлау жазбаларының үлесі, 95% аралығымен.',
  ),
  columns: [COLUMN.campaign, COLUMN.posts, COLUMN.abusive, COLUMN.towardWomen, COLUMN.share, COLUMN.ciLow, COLUMN.ciHigh],
  search: (context) => ({
    index: 'metrics-abuse',
    body: {
      size: 0,
      aggs: { scope: { filter: abuseScope(context), aggs: { keys: { terms: { field: 'tag', size: Math.max(1, allKeys(context).length) }, aggs: abuseSums } } } },
    },
    property: 'aggregations.scope.keys.buckets',
    toRows: [
      { calculate: familyOfKey(context, 'datum.key'), as: 'campaign' },
      { calculate: 'datum.posts.value', as: 'posts_of_key' },
      { calculate: 'datum.abusive.value', as: 'abusive_of_key' },
      { calculate: 'datum.toward_women.value', as: 'toward_women_of_key' },
      {
        aggregate: [
          { op: 'sum', field: 'posts_of_key', as: 'posts' },
          { op: 'sum', field: 'abusive_of_key', as: 'abusive' },
          { op: 'sum', field: 'toward_women_of_key', as: 'toward_women' },
        ],
        groupby: ['campaign'],
      },
    ],
  }),
  view: () => shareBars('campaign'),
};

/** Bars of the share toward women per category of `field`, with interval whiskers. */
function shareBars(field: string): Record<string, unknown> {
  return {
    transform: SHARE_TRANSFORMS,
    encoding: { y: { field, type: 'nominal', sort: '-x', title: null } },
    layer: [
      {
        mark: { type: 'bar', color: '#8e24aa' },
        encoding: {
          x: { field: 'share', type: 'quantitative', title: null, axis: percent },
          tooltip: tooltip([field, 'nominal'], ...SHARE_TIPS),
        },
      },
      { mark: { type: 'rule', color: '#2b2b2b' }, encoding: { x: { field: 'ci_low', type: 'quantitative' }, x2: { field: 'ci_high' } } },
    ],
  };
}

export const CHARTS: readonly ChartDefinition[] = [volume, platforms, languages, partners, network, abuseShare, abuseCategories, abusePlatforms, abuseCampaigns];
