import { z } from 'zod';
import { PSEUDONYM_PREFIX } from '../../processors/normalise/pseudonymise.js';
import type { NormalisedPost, PostRow, PostsExportParams, SearchAnswer, SearchParams } from '../../schemas/index.js';
import { fieldColumns } from '../csv.js';
import { badParameter } from '../errors.js';
import { resolveRange } from '../time.js';
import { answerMeta, echoRange, familyName, rangeFilter, tagKey, termsFilter } from './common.js';
import type { AuthorVisibility, QueryContext } from './context.js';

type PostFilters = Omit<PostsExportParams, 'bom'>;

/**
 * Text a user typed goes to simple_query_string, which never fails on syntax, with only the operators a
 * researcher needs: + (and) | (or) - (not) "phrase" prefix* and precedence. No fuzzy or slop operators, and
 * never query_string, whose parser user text could steer (field names, regexes, ranges).
 */
const TEXT_FLAGS = 'AND|OR|NOT|PHRASE|PREFIX|PRECEDENCE|WHITESPACE|ESCAPE';
const TEXT_FIELDS = ['text', 'text.ru', 'text.kk', 'text.en'];

/** The posts query of a set of filters: full text, tags, families, platform, language, time, verdicts. */
function postsQuery(context: QueryContext, params: PostFilters, range: { from?: number; to: number }) {
  const tags = (params.tag ?? []).map((given) => tagKey('tag', given));
  const families = [...new Set((params.family ?? []).map((given) => familyName(context, given)))];
  const filter = [
    ...termsFilter('tags', tags),
    ...termsFilter('families', families),
    ...termsFilter('platform', params.platform),
    ...termsFilter('lang', params.lang),
    ...rangeFilter('createdAt', range),
    ...(params.abusive === undefined ? [] : [{ term: { 'abuse.abusive': params.abusive } }]),
    ...(params.toward_women === undefined ? [] : [{ term: { 'abuse.towardWomen': params.toward_women } }]),
  ];
  const must = params.q
    ? [{ simple_query_string: { query: params.q, fields: TEXT_FIELDS, default_operator: 'and', flags: TEXT_FLAGS, lenient: true } }]
    : [];
  return {
    query: { bool: { must, filter } },
    echo: {
      tags: (params.tag ?? []).map((given, i) => ({ given, key: tags[i]! })),
      families: families.map((name) => ({ name, keys: [...context.families.memberKeys(name)] })),
      ...echoRange(range, params.tz, params.platform),
      langs: [...(params.lang ?? [])],
    },
  };
}

/** Newest or oldest first, the id breaking ties so every post has one place in the order. */
function postsSort(order: 'asc' | 'desc') {
  return [{ createdAt: { order } }, { id: { order } }];
}

/**
 * What a row is made of. Searches take the whole `_source`: naming fields makes the engine parse every document
 * to filter it, which measured four times the fetch cost of returning the stored bytes as they are (300,000
 * posts, OpenSearch 2.19); the `evidence` spans it brings along are simply not put in rows.
 */
type StoredPost = Pick<NormalisedPost, 'id' | 'platform' | 'createdAt' | 'lang' | 'text' | 'tags' | 'tagsAsWritten' | 'families' | 'url' | 'author' | 'replyTo' | 'threadId' | 'engagement'> & {
  abuse?: Partial<NonNullable<NormalisedPost['abuse']>>;
};

function visibleAuthor(value: string | undefined, authors: AuthorVisibility): string | null {
  if (value === undefined) return null;
  // A deployment that opted out of pseudonymisation stores clear ids: those are for admin keys only.
  return authors === 'all' || value.startsWith(PSEUDONYM_PREFIX) ? value : null;
}

export function postRow(post: StoredPost, authors: AuthorVisibility): PostRow {
  return {
    id: post.id,
    platform: post.platform,
    created_at: post.createdAt,
    lang: post.lang,
    text: post.text,
    tags: post.tags,
    tags_as_written: post.tagsAsWritten,
    families: post.families,
    url: post.url ?? null,
    author_id: visibleAuthor(post.author?.id, authors),
    author_handle: visibleAuthor(post.author?.handle, authors),
    reply_to: post.replyTo ?? null,
    thread_id: post.threadId ?? null,
    abusive: post.abuse?.abusive ?? null,
    toward_women: post.abuse?.towardWomen ?? null,
    abuse_categories: post.abuse?.categories ?? [],
    classifier_version: post.abuse?.classifierVersion ?? null,
    likes: post.engagement?.likes ?? null,
    shares: post.engagement?.shares ?? null,
    replies: post.engagement?.replies ?? null,
    views: post.engagement?.views ?? null,
  };
}

/** The search_after cursor: the sort values of a page's last post, as opaque base64url JSON. */
const Cursor = z.tuple([z.number(), z.string()]);

function encodeCursor(sort: unknown[]): string {
  return Buffer.from(JSON.stringify(sort)).toString('base64url');
}

function decodeCursor(text: string): z.infer<typeof Cursor> {
  try {
    return Cursor.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw badParameter('search_after', 'not a cursor this API gave; pass the `next` value of the previous page unchanged');
  }
}

/** One page of posts; `next` continues after its last post, with the same parameters. */
export async function search(context: QueryContext, params: SearchParams): Promise<SearchAnswer> {
  const range = resolveRange(params, context.now());
  const { query, echo } = postsQuery(context, params, range);
  const index = context.store.alias('posts');
  const response = await context.store.search<StoredPost>(index, {
    size: params.size,
    query,
    sort: postsSort(params.order),
    track_total_hits: true,
    ...(params.search_after === undefined ? {} : { search_after: decodeCursor(params.search_after) }),
  });
  const hits = response.hits.hits;
  const last = hits.at(-1);
  return {
    query: { ...echo, q: params.q ?? null, order: params.order },
    meta: { ...answerMeta(context, index, response.took), total: response.hits.total.value },
    rows: hits.map((hit) => postRow(hit._source, context.authors)),
    next: hits.length === params.size && last?.sort ? encodeCursor(last.sort) : null,
  };
}

/** Posts per export page: with the next page fetched while this one is written, the engine and the writer overlap. */
const EXPORT_PAGE = 5_000;

/** How many posts an export will write (for its progress bar). */
export async function countPosts(context: QueryContext, params: PostFilters): Promise<number> {
  const { query } = postsQuery(context, params, resolveRange(params, context.now()));
  return context.store.count(context.store.alias('posts'), query);
}

/**
 * Every matching post, oldest first, page by page in constant memory: a point in time pins the index as it was
 * when the export began (posts indexed meanwhile neither appear nor shift the pages), and search_after walks it.
 */
export async function* exportPosts(context: QueryContext, params: PostFilters): AsyncGenerator<PostRow[]> {
  const range = resolveRange(params, context.now());
  const { query } = postsQuery(context, params, range);
  const store = context.store;
  let pit = await store.openPointInTime(store.alias('posts'), '5m');
  const page = (after: unknown[] | undefined) =>
    store.search<StoredPost>(undefined, {
      size: EXPORT_PAGE,
      query,
      sort: postsSort('asc'),
      track_total_hits: false,
      pit: { id: pit, keep_alive: '5m' },
      ...(after ? { search_after: after } : {}),
    });
  let pending: ReturnType<typeof page> | undefined = page(undefined);
  try {
    while (pending) {
      const response: Awaited<typeof pending> = await pending;
      pending = undefined;
      // Elasticsearch may hand back a new id for the same point in time; the latest must be used and closed.
      if (response.pit_id) pit = response.pit_id;
      const hits = response.hits.hits;
      if (hits.length === EXPORT_PAGE) pending = page(hits.at(-1)!.sort);
      if (hits.length > 0) yield hits.map((hit) => postRow(hit._source, context.authors));
    }
  } finally {
    // A consumer that stops early leaves the prefetched page in flight; let it settle before the PIT goes.
    await pending?.catch(() => undefined);
    await store.closePointInTime(pit);
  }
}

export const postColumns = fieldColumns<PostRow>([
  'id', 'platform', 'created_at', 'lang', 'text', 'tags', 'tags_as_written', 'families', 'url', 'author_id', 'author_handle',
  'reply_to', 'thread_id', 'abusive', 'toward_women', 'abuse_categories', 'classifier_version', 'likes', 'shares', 'replies', 'views',
]);
