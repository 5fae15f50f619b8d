import type { z } from 'zod';
import {
  AbuseAnswer,
  AbuseParams,
  CooccurrenceAnswer,
  CooccurrenceParams,
  SearchAnswer,
  SearchParams,
  TrendsAnswer,
  TrendsParams,
} from '../../schemas/index.js';
import type { CsvColumns } from '../csv.js';
import { abuse, abuseColumns } from './abuse.js';
import type { QueryContext } from './context.js';
import { cooccurrence, cooccurrenceColumns } from './cooccurrence.js';
import { postColumns, search } from './posts.js';
import { trends, trendsColumns } from './trends.js';

/**
 * One query of the API: its parameter and answer schemas, how to run it, and the columns its rows have in CSV and
 * tables. The HTTP handlers, the CLI commands, the exports and the reports all go through these.
 */
export interface QueryDefinition<Params = never, Answer extends { rows: unknown[] } = { rows: unknown[] }> {
  name: 'trends' | 'cooccurrence' | 'abuse' | 'search';
  summary: string;
  params: z.ZodObject;
  answer: z.ZodType;
  run(context: QueryContext, params: Params): Promise<Answer>;
  columns(answer: Answer): CsvColumns<Answer['rows'][number]>;
}

function define<S extends z.ZodObject, A extends { rows: unknown[] }>(
  definition: Omit<QueryDefinition<z.output<S>, A>, 'params'> & { params: S },
): QueryDefinition<z.output<S>, A> {
  return definition;
}

export const QUERIES = {
  trends: define<typeof TrendsParams, TrendsAnswer>({
    name: 'trends',
    summary: 'Posts per tag or family and time bucket',
    params: TrendsParams,
    answer: TrendsAnswer,
    run: trends,
    columns: () => trendsColumns,
  }),
  cooccurrence: define<typeof CooccurrenceParams, CooccurrenceAnswer>({
    name: 'cooccurrence',
    summary: "A tag's co-occurring tags with count, PMI, NPMI, lift and Jaccard",
    params: CooccurrenceParams,
    answer: CooccurrenceAnswer,
    run: cooccurrence,
    columns: () => cooccurrenceColumns,
  }),
  abuse: define<typeof AbuseParams, AbuseAnswer>({
    name: 'abuse',
    summary: 'Abusive posts, abuse toward women with its share and Wilson interval, and categories, per bucket',
    params: AbuseParams,
    answer: AbuseAnswer,
    run: abuse,
    columns: abuseColumns,
  }),
  search: define<typeof SearchParams, SearchAnswer>({
    name: 'search',
    summary: 'Posts by full text (Russian, Kazakh, English) and filters, newest first, paged with search_after',
    params: SearchParams,
    answer: SearchAnswer,
    run: search,
    columns: () => postColumns,
  }),
};
