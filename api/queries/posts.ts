import { z } from 'zod';
import type { PostsExportParams, SearchAnswer, SearchParams } from '../../schemas/index.js';
import { badParameter } from '../errors.js';
import { formatPages, type ExportFormat } from '../export-pages.js';
import { resolveRange } from '../time.js';
import { answerMeta, echoRange, familyName, rangeFilter, tagKey, termsFilter } from './common.js';
import type { QueryContext } from './context.js';
import { postRow, type StoredPost } from './post-rows.js';

export { postColumns, postRow } from './post-rows.js';

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
  // One post beyond the page says whether another page follows, so the last page's `next` is null even when it is full.
  const response = await context.store.search<StoredPost>(index, {
    size: params.size + 1,
    query,
    sort: postsSort(params.order),
    track_total_hits: true,
    ...(params.search_after === undefined ? {} : { search_after: decodeCursor(params.search_after) }),
  });
  const hits = response.hits.hits.slice(0, params.size);
  const last = hits.at(-1);
  return {
    query: { ...echo, q: params.q ?? null, order: params.order, abusive: params.abusive ?? null, toward_women: params.toward_women ?? null, size: params.size },
    meta: { ...answerMeta(context, index, response.took), total: response.hits.total.value },
    rows: hits.map((hit) => postRow(hit._source, context.authors)),
    next: response.hits.hits.length > params.size && last?.sort ? encodeCursor(last.sort) : null,
  };
}

/**
 * Posts per export page, at most: with the next page fetched while this one is formatted and written, the engine
 * and the writer overlap. Pages start smaller and are sized to about PAGE_BYTES of JSON from what the previous
 * one weighed, so long posts make shorter pages and the memory a page takes stays the same. Three pages are in
 * memory at once (fetched, formatted, written); measured on a 200,000-row export, 1 MiB pages peaked at
 * 167-176 MB RSS and 3 MiB pages at 188-199 MB, at the same speed.
 */
const EXPORT_PAGE = 5_000;
const FIRST_PAGE = 500;
const PAGE_BYTES = 2 ** 20;

function nextPageSize(size: number, bytes: number): number {
  return Math.max(100, Math.min(EXPORT_PAGE, Math.floor((size * PAGE_BYTES) / Math.max(bytes, 1))));
}

/** How many posts an export will write (for its progress bar). */
export async function countPosts(context: QueryContext, params: PostFilters): Promise<number> {
  const { query } = postsQuery(context, params, resolveRange(params, context.now()));
  return context.store.count(context.store.alias('posts'), query);
}

/**
 * Every matching post, oldest first, as the lines of an export (CSV or JSON Lines), page by page in constant
 * memory: a point in time pins the index as it was when the export began (posts indexed meanwhile neither appear
 * nor shift the pages), and search_after walks it. Each page comes as its raw bytes and is parsed and formatted
 * off this thread (export-pages.ts) while the next one is fetched.
 */
export async function* exportPostLines(context: QueryContext, params: PostFilters, format: ExportFormat): AsyncGenerator<{ rows: number; text: Buffer }> {
  const range = resolveRange(params, context.now());
  const { query } = postsQuery(context, params, range);
  const store = context.store;
  let pit = await store.openPointInTime(store.alias('posts'), '5m');
  const pages = formatPages(context.authors, format);
  const page = (size: number, after: unknown[] | undefined) =>
    store.searchBytes(undefined, {
      size,
      query,
      sort: postsSort('asc'),
      track_total_hits: false,
      pit: { id: pit, keep_alive: '5m' },
      ...(after ? { search_after: after } : {}),
    });
  let size = FIRST_PAGE;
  let pending: Promise<Buffer> | undefined = page(size, undefined);
  try {
    while (pending) {
      const bytes: Buffer = await pending;
      pending = undefined;
      const weight = bytes.length; // before the bytes are handed over to the worker (transferred, so emptied here)
      const formatted = pages.format(bytes);
      const { hits, last, pitId } = await formatted.cursor;
      // Elasticsearch may hand back a new id for the same point in time; the latest must be used and closed.
      if (pitId) pit = pitId;
      if (hits === size && last) {
        size = nextPageSize(size, weight);
        pending = page(size, last);
      }
      if (hits > 0) yield { rows: hits, text: await formatted.text };
    }
  } finally {
    // A consumer that stops early leaves the prefetched page in flight; let it settle before the PIT goes.
    await pending?.catch(() => undefined);
    await pages.close();
    await store.closePointInTime(pit);
  }
}
