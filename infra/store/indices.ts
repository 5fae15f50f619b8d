import { createHash } from 'node:crypto';

/**
 * Index definitions, engine-neutral (valid for OpenSearch 2 and Elasticsearch 8 alike).
 * Each logical index is served through an alias `<prefix>-<logical>` over a physical index `<prefix>-<logical>-v<version>`;
 * bump `version` when a mapping changes incompatibly and `tagpulse init` migrates (new index, reindex, alias swap).
 */
export interface IndexDefinition {
  logical: string;
  version: number;
  settings: Record<string, unknown>;
  mappings: Record<string, unknown>;
  /**
   * A Painless script run on every document reindexed into this version from an older one (`_reindex`'s
   * `script`), for a migration that changes stored values, not only the mapping. It must leave a document already
   * in the new form unchanged. Not part of the definition hash.
   */
  reindexScript?: string;
}

const keyword = { type: 'keyword' } as const;
const date = { type: 'date', format: 'strict_date_optional_time||epoch_millis' } as const;
const count = { type: 'long' } as const;

/** Kazakh function words that carry no topic (conjunctions, postpositions, pronouns, particles). */
const KAZAKH_STOPWORDS = [
  'және', 'мен', 'бен', 'пен', 'да', 'де', 'та', 'те', 'ал', 'бірақ', 'немесе', 'не', 'ма', 'ме', 'ба', 'бе', 'па', 'пе',
  'бұл', 'сол', 'осы', 'ол', 'олар', 'біз', 'сіз', 'сен', 'үшін', 'туралы', 'дейін', 'соң', 'кейін', 'еді', 'екен',
  'деп', 'емес', 'жоқ', 'бар', 'әр', 'бір', 'енді', 'тағы', 'ғана', 'қана', 'ше',
];

/**
 * Light Kazakh suffix stripping for search recall: plural (-лар/-лер/-дар/-дер/-тар/-тер) optionally followed
 * by a case ending, or a case ending alone, when at least three letters remain. Applied identically at index and
 * query time; it is a recall aid, not a morphological analyser (docs/data-model.md says where it errs).
 */
const KAZAKH_SUFFIX =
  '^(\\p{L}{3,}?)(?:(?:лар|лер|дар|дер|тар|тер)(?:дың|дің|тың|тің|ның|нің|ға|ге|қа|ке|ды|ді|ты|ті|да|де|та|те|дан|ден|тан|тен|мен|ы|і)?|(?:дың|дің|тың|тің|ның|нің|ға|ге|қа|ке|да|де|та|те|дан|ден|мен|бен|пен))$';

const TEXT_ANALYSIS = {
  analysis: {
    char_filter: {
      tp_yo: { type: 'mapping', mappings: ['ё => е', 'Ё => Е'] },
    },
    filter: {
      tp_ru_stop: { type: 'stop', stopwords: '_russian_' },
      tp_ru_stemmer: { type: 'stemmer', language: 'russian' },
      tp_kk_stop: { type: 'stop', stopwords: KAZAKH_STOPWORDS },
      tp_kk_suffix: { type: 'pattern_replace', pattern: KAZAKH_SUFFIX, replacement: '$1' },
      tp_en_stemmer: { type: 'stemmer', language: 'english' },
    },
    analyzer: {
      tp_text: { type: 'custom', tokenizer: 'standard', char_filter: ['tp_yo'], filter: ['lowercase'] },
      tp_russian: { type: 'custom', tokenizer: 'standard', char_filter: ['tp_yo'], filter: ['lowercase', 'tp_ru_stop', 'tp_ru_stemmer'] },
      tp_kazakh: { type: 'custom', tokenizer: 'standard', filter: ['lowercase', 'tp_kk_stop', 'tp_kk_suffix'] },
      tp_english: { type: 'custom', tokenizer: 'standard', filter: ['lowercase', 'tp_en_stemmer'] },
    },
  },
};

// v2: `threadTags` (the tags a reply counts under for abuse through its thread), and `threadId` qualified as
// `platform:platformId` like `replyTo` (v1 held the bare platform id; the migration qualifies it).
export const POSTS_INDEX: IndexDefinition = {
  logical: 'posts',
  version: 2,
  reindexScript:
    "def t = ctx._source.threadId; def p = ctx._source.platform; if (t != null && p != null && !t.startsWith(p + ':')) { ctx._source.threadId = p + ':' + t; }",
  settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '1s', ...TEXT_ANALYSIS },
  mappings: {
    dynamic: 'strict',
    properties: {
      schema: keyword,
      id: keyword,
      platform: keyword,
      platformId: keyword,
      sources: keyword,
      createdAt: date,
      collectedAt: date,
      text: {
        type: 'text',
        analyzer: 'tp_text',
        fields: {
          ru: { type: 'text', analyzer: 'tp_russian' },
          kk: { type: 'text', analyzer: 'tp_kazakh' },
          en: { type: 'text', analyzer: 'tp_english' },
        },
      },
      lang: keyword,
      tags: keyword,
      tagsAsWritten: keyword,
      families: keyword,
      author: { properties: { id: keyword, handle: keyword } },
      url: { type: 'keyword', index: false },
      replyTo: keyword,
      threadId: keyword,
      threadTags: keyword,
      engagement: { properties: { likes: count, shares: count, replies: count, views: count } },
      abuse: {
        properties: {
          abusive: { type: 'boolean' },
          towardWomen: { type: 'boolean' },
          categories: keyword,
          score: { type: 'float' },
          evidence: { type: 'object', enabled: false },
          classifierVersion: keyword,
        },
      },
    },
  },
};

const METRIC_SETTINGS = { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '1s' };

function metricIndex(logical: string, properties: Record<string, unknown>, extra: Record<string, unknown> = {}): IndexDefinition {
  return {
    logical,
    version: 1,
    settings: METRIC_SETTINGS,
    mappings: { dynamic: 'strict', ...extra, properties: { schema: keyword, windowStart: date, ...properties } },
  };
}

export const METRIC_INDICES: IndexDefinition[] = [
  metricIndex('metrics-volume', { tag: keyword, platform: keyword, lang: keyword, posts: count, authors: count }),
  metricIndex('metrics-cooccurrence', { tagA: keyword, tagB: keyword, platform: keyword, count }),
  // v2: the window's share toward women and its Wilson interval.
  {
    ...metricIndex(
      'metrics-abuse',
      {
        tag: keyword,
        platform: keyword,
        posts: count,
        abusive: count,
        abusiveTowardWomen: count,
        categories: { type: 'object', dynamic: true },
        classifierVersion: keyword,
        shareTowardWomen: { type: 'double' },
        shareTowardWomenLow: { type: 'double' },
        shareTowardWomenHigh: { type: 'double' },
      },
      // Category names are data (the lexicon's), so each becomes a long field under `categories` as it first appears.
      { dynamic_templates: [{ abuse_categories: { path_match: 'categories.*', mapping: count } }] },
    ),
    version: 2,
  },
  // v2: `tags` of the late posts.
  { ...metricIndex('metrics-late', { platform: keyword, tags: keyword, posts: count, updatedAt: date }), version: 2 },
];

export const ALL_INDICES: IndexDefinition[] = [POSTS_INDEX, ...METRIC_INDICES];

/** A short content hash of a definition, stored in the index `_meta` so init can tell an unchanged index from a drifted one. */
export function definitionHash(definition: IndexDefinition): string {
  return createHash('sha256').update(JSON.stringify([definition.settings, definition.mappings])).digest('hex').slice(0, 16);
}
