import { z } from 'zod';
import { Lang, Platform } from './common.js';

/**
 * The query API's parameters and answers. The HTTP handlers, the CLI commands, the CSV exports and the scheduled
 * reports all validate with these schemas, and /api/openapi.json is generated from them (docs/api.md explains
 * each field). Parameters arrive as query-string text, so numbers and booleans are coerced from strings.
 */

/** Who may ask what: public sees aggregates only; researcher also posts (with pseudonymous author ids); admin also the key table. */
export const Role = z.enum(['public', 'researcher', 'admin']);
export type Role = z.infer<typeof Role>;

export const Interval = z.enum(['hour', 'day', 'week', 'month']);
export type Interval = z.infer<typeof Interval>;

/** True when the runtime's IANA database (Intl) knows the zone; offsets always come from it, never from a table of ours. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** `2026-03-01`, `2026-03-01T12:00`, `2026-03-01T12:00:00Z`, `2026-03-01T12:00:00+05:00`, `now`, or `-7d` / `-24h` / `-4w`. */
export const TIME_PATTERN =
  /^(?:now|-\d{1,5}[hdw]|\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})?)?)$/;

const TimeText = z
  .string()
  .regex(TIME_PATTERN, 'a date (2026-03-01), a local time (2026-03-01T18:00), an instant (2026-03-01T18:00:00Z or +05:00), now, or a time ago (-24h, -7d, -4w)');

/**
 * An IANA zone as Intl spells it: Intl accepts any case (`asia/almaty`), the search engines' Java time zones only
 * the canonical one, so the name is passed on as Intl resolves it.
 */
export const TimeZoneName = z
  .string()
  .refine(isTimeZone, 'an IANA time zone such as Asia/Almaty, Europe/Berlin or UTC')
  .transform((name) => new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone);

/** A yes/no parameter: `true`/`false` (also 1/0, yes/no, on/off) in a query string, or a JSON boolean in a report. */
const FLAG_VALUES = 'true or false (also 1/0, yes/no, on/off)';
const Flag = z.union([z.boolean(), z.stringbool({ truthy: ['true', '1', 'yes', 'on'], falsy: ['false', '0', 'no', 'off'], error: FLAG_VALUES })], { error: FLAG_VALUES });

/** A whole number in [min, max] from query-string text; every way of missing it gets the same message with the range. */
const WholeNumber = (min: number, max: number) => {
  const allowed = `a whole number from ${min} to ${max}`;
  return z.coerce.number({ error: allowed }).int(allowed).min(min, allowed).max(max, allowed);
};

const List = <T extends z.ZodType>(item: T) => z.array(item);
/** Text a user typed for a tag: any spelling, canonicalised before use (docs/metrics.md#canonical-tags). */
const TagText = z.string().min(1, 'a tag in any spelling, such as #МенОяндым or menoiandym').max(200, 'at most 200 characters');

const Range = {
  from: TimeText.optional().meta({ description: 'Start, inclusive. A date or local time is read in `tz`. Default: 30 days before `to` (aggregates), the beginning (posts).' }),
  to: TimeText.optional().meta({ description: 'End, exclusive; a date alone means the end of that day in `tz` (so `to=2026-03-31` includes 31 March). Default: now.' }),
  tz: TimeZoneName.default('UTC').meta({ description: 'IANA time zone for bucket boundaries, dates without an offset and the offsets shown.' }),
  platform: List(Platform).optional().meta({ description: 'Only these platforms (repeat or comma-separate). Default: all.' }),
};

const Series = {
  tag: List(TagText).max(20).optional().meta({ description: 'Tags in any spelling (repeat or comma-separate); each is one series under its canonical key.' }),
  family: List(z.string().min(1)).max(20).optional().meta({ description: 'Configured tag families; each is one series `family:<name>`.' }),
};

const Csv = {
  bom: Flag.default(false).meta({ description: 'Start CSV with a UTF-8 byte-order mark, so Excel reads Cyrillic correctly.' }),
};

export const TrendsParams = z.strictObject({
  ...Series,
  ...Range,
  interval: Interval.default('day'),
  lang: List(Lang).optional().meta({ description: 'Only posts in these languages. Default: all.' }),
});
export type TrendsParams = z.infer<typeof TrendsParams>;

export const AbuseParams = z.strictObject({
  ...Series,
  ...Range,
  interval: Interval.default('day'),
  classifier: List(z.string().min(1)).optional().meta({ description: 'Only verdicts of these classifier (lexicon) versions. Default: all present.' }),
});
export type AbuseParams = z.infer<typeof AbuseParams>;

export const CooccurrenceSort = z.enum(['count', 'pmi', 'npmi', 'lift', 'jaccard']);

export const CooccurrenceParams = z.strictObject({
  tag: TagText.meta({ description: 'The tag whose partners are wanted, in any spelling.' }),
  ...Range,
  min_count: WholeNumber(1, 1_000_000).default(1).meta({ description: 'Leave out partners seen together fewer times (PMI is unstable for rare pairs; 5 or more is advisable when sorting by it).' }),
  limit: WholeNumber(1, 1000).default(50).meta({ description: 'How many partners.' }),
  sort: CooccurrenceSort.default('count').meta({ description: 'Rank partners by this measure, highest first (ties by count, then tag).' }),
});
export type CooccurrenceParams = z.infer<typeof CooccurrenceParams>;

const PostFilters = {
  q: z.string().max(500, 'at most 500 characters').optional().meta({
    description: 'Full-text search in Russian, Kazakh and English forms: words (all must match), "a phrase", -excluded, either|or, prefix*.',
  }),
  ...Series,
  ...Range,
  lang: List(Lang).optional(),
  abusive: Flag.optional().meta({ description: 'Only posts the classifier found abusive (true) or not (false).' }),
  toward_women: Flag.optional().meta({ description: 'Only posts found abusive toward women (true) or not (false).' }),
};

export const SearchParams = z.strictObject({
  ...PostFilters,
  order: z.enum(['desc', 'asc']).default('desc').meta({ description: 'By publication time (then id).' }),
  size: WholeNumber(1, 1000).default(50),
  search_after: z.string().max(1000).optional().meta({ description: 'The `next` cursor of the previous page.' }),
});
export type SearchParams = z.infer<typeof SearchParams>;

export const PostsExportParams = z.strictObject({ ...PostFilters, ...Csv });
export type PostsExportParams = z.infer<typeof PostsExportParams>;

export const TrendsExportParams = TrendsParams.extend(Csv);
export const AbuseExportParams = AbuseParams.extend(Csv);
export const CooccurrenceExportParams = CooccurrenceParams.extend(Csv);

/** What a JSON answer says about how the query was understood. */
export const QueryEcho = z.object({
  /** Each tag as given, with its canonical key. */
  tags: z.array(z.object({ given: z.string(), key: z.string() })),
  /** Each family with the canonical keys it stands for. */
  families: z.array(z.object({ name: z.string(), keys: z.array(z.string()) })),
  from: z.string().nullable(),
  to: z.string(),
  tz: z.string(),
  interval: Interval.optional(),
  platforms: z.array(Platform),
  langs: z.array(Lang).optional(),
});

const AnswerMeta = z.object({
  generated_at: z.string(),
  engine: z.string(),
  index: z.string(),
  took_ms: z.number(),
});

export const TrendsRow = z.object({
  /** Canonical key, or `family:<name>`. */
  tag: z.string(),
  bucket_start: z.string(),
  posts: z.number().int(),
});
export type TrendsRow = z.infer<typeof TrendsRow>;

export const TrendsAnswer = z.object({
  query: QueryEcho,
  meta: AnswerMeta.extend({
    /** Posts with these tags in the range that arrived after their window closed, so are in no count above (docs/api.md). */
    late_posts: z.number().int(),
  }),
  rows: z.array(TrendsRow),
});
export type TrendsAnswer = z.infer<typeof TrendsAnswer>;

export const AbuseRow = z.object({
  tag: z.string(),
  bucket_start: z.string(),
  /** Classified posts. */
  posts: z.number().int(),
  abusive: z.number().int(),
  abusive_toward_women: z.number().int(),
  /** abusive_toward_women / posts; null when there were no posts. */
  share_toward_women: z.number().nullable(),
  /** Wilson 95% interval of the share. */
  ci_low: z.number().nullable(),
  ci_high: z.number().nullable(),
  /** Abusive posts per category (a post may count in several). */
  categories: z.record(z.string(), z.number().int()),
});
export type AbuseRow = z.infer<typeof AbuseRow>;

export const AbuseAnswer = z.object({
  query: QueryEcho.extend({ classifiers: z.array(z.string()) }),
  meta: AnswerMeta.extend({
    /** Classifier (lexicon) versions whose verdicts are in the counts, with their posts. */
    classifier_versions: z.array(z.object({ version: z.string(), posts: z.number().int() })),
    /** Every category the index knows, in column order. */
    categories: z.array(z.string()),
  }),
  rows: z.array(AbuseRow),
});
export type AbuseAnswer = z.infer<typeof AbuseAnswer>;

export const CooccurrenceRow = z.object({
  tag_a: z.string(),
  tag_b: z.string(),
  /** Posts carrying both. */
  count: z.number().int(),
  /** Posts carrying tag_a, tag_b; all tagged posts (N). */
  count_a: z.number().int(),
  count_b: z.number().int(),
  total: z.number().int(),
  pmi: z.number(),
  npmi: z.number(),
  lift: z.number(),
  jaccard: z.number(),
});
export type CooccurrenceRow = z.infer<typeof CooccurrenceRow>;

export const CooccurrenceAnswer = z.object({
  query: QueryEcho.extend({ min_count: z.number().int(), limit: z.number().int(), sort: CooccurrenceSort }),
  meta: AnswerMeta.extend({
    /** Partners seen with the tag at least min_count times, before the limit. */
    partners: z.number().int(),
  }),
  rows: z.array(CooccurrenceRow),
});
export type CooccurrenceAnswer = z.infer<typeof CooccurrenceAnswer>;

/** A post as the API shows it. Author fields are pseudonyms and only ever shown to researcher and admin keys. */
export const PostRow = z.object({
  id: z.string(),
  platform: Platform,
  created_at: z.string(),
  lang: Lang,
  text: z.string(),
  tags: z.array(z.string()),
  tags_as_written: z.array(z.string()),
  families: z.array(z.string()),
  url: z.string().nullable(),
  author_id: z.string().nullable(),
  author_handle: z.string().nullable(),
  reply_to: z.string().nullable(),
  thread_id: z.string().nullable(),
  abusive: z.boolean().nullable(),
  toward_women: z.boolean().nullable(),
  abuse_categories: z.array(z.string()),
  classifier_version: z.string().nullable(),
  likes: z.number().nullable(),
  shares: z.number().nullable(),
  replies: z.number().nullable(),
  views: z.number().nullable(),
});
export type PostRow = z.infer<typeof PostRow>;

export const SearchAnswer = z.object({
  query: QueryEcho.extend({
    q: z.string().nullable(),
    order: z.enum(['desc', 'asc']),
    abusive: z.boolean().nullable(),
    toward_women: z.boolean().nullable(),
    size: z.number().int(),
  }),
  meta: AnswerMeta.extend({ total: z.number().int() }),
  rows: z.array(PostRow),
  /** Pass as search_after for the next page; null on the last page. */
  next: z.string().nullable(),
});
export type SearchAnswer = z.infer<typeof SearchAnswer>;

export const ApiErrorBody = z.object({
  error: z.string(),
  /** The parameter at fault, for 400s. */
  field: z.string().optional(),
  /** For 404s: the endpoints there are. */
  endpoints: z.array(z.string()).optional(),
});

export const ApiKeySummary = z.object({
  name: z.string(),
  role: Role,
  requests: z.number().int(),
  rejected: z.number().int(),
});
export const ApiKeysAnswer = z.object({ keys: z.array(ApiKeySummary), anonymous: z.boolean() });

/** The exports a report or `tagpulse export` can run, each with the parameters of its query. */
export const EXPORT_KINDS = ['posts', 'trends', 'cooccurrence', 'abuse'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export const ExportParams = {
  posts: PostsExportParams,
  trends: TrendsExportParams,
  cooccurrence: CooccurrenceExportParams,
  abuse: AbuseExportParams,
} as const satisfies Record<ExportKind, z.ZodType>;

/** A scheduled report's query: which export (`export`), and its parameters as the CLI and the HTTP API take them. */
/** Strict, as the config file it sits in: a misspelt parameter of a scheduled report stops the command. */
export const ReportQuery = z.discriminatedUnion('export', [
  PostsExportParams.extend({ export: z.literal('posts') }).strict(),
  TrendsExportParams.extend({ export: z.literal('trends') }).strict(),
  CooccurrenceExportParams.extend({ export: z.literal('cooccurrence') }).strict(),
  AbuseExportParams.extend({ export: z.literal('abuse') }).strict(),
]);
export type ReportQuery = z.infer<typeof ReportQuery>;
