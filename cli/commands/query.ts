import { z } from 'zod';
import { ApiError } from '../../api/errors.js';
import { formatAnswer, type OutputFormat } from '../../api/format.js';
import { optionName, optionsOf, parseParams, paramsFromOptions } from '../../api/params.js';
import { queryContext, type QueryContext } from '../../api/queries/context.js';
import { QUERIES, type QueryDefinition } from '../../api/queries/index.js';
import { loadConfig } from '../../infra/config.js';
import { StoreError } from '../../infra/store/store.js';
import { choice, UsageError, UserFacingError, type Command, type OptionSpec } from '../command.js';

/** An API error as the CLI says it: a bad parameter is a usage error naming the option (exit 2), the rest exit 1. */
export function cliError(error: unknown): unknown {
  if (error instanceof ApiError) {
    if (error.status === 400 && error.field !== undefined) {
      return new UsageError(`--${optionName(error.field)}${error.message.slice(error.field.length)}`);
    }
    return new UserFacingError(error.message);
  }
  if (error instanceof StoreError) return new UserFacingError(`the search engine refused the query: ${error.message}`);
  return error;
}

/**
 * Runs `work` with a query context on the configured store, as an admin would see the data (the CLI reads the
 * store directly, with the config's own credentials).
 */
export async function withQueryContext<T>(configPath: string | undefined, work: (context: QueryContext) => Promise<T>): Promise<T> {
  const config = loadConfig(configPath);
  const { openStore } = await import('../../infra/store/open.js');
  const store = await openStore(config);
  try {
    return await work(queryContext(store, config, 'all'));
  } catch (error) {
    throw cliError(error);
  } finally {
    await store.close();
  }
}

/** The parameters a command's options give, validated by the query's schema (option names in errors). */
export function paramsOf<S extends z.ZodObject>(schema: S, values: Record<string, unknown>, own: readonly string[]): z.output<S> {
  const options = Object.fromEntries(Object.entries(values).filter(([name]) => !own.includes(name)));
  try {
    return parseParams(schema, paramsFromOptions(schema, options), 'option');
  } catch (error) {
    throw cliError(error);
  }
}

type PropertyHelp = { description?: string; default?: unknown; enum?: unknown[]; type?: string; items?: { enum?: unknown[] } };

/** The options part of a help text, from the schema's own descriptions, allowed values and defaults. */
export function optionsHelp(schema: z.ZodObject): string {
  const json = z.toJSONSchema(schema, { io: 'input' }) as { properties: Record<string, PropertyHelp>; required?: string[] };
  return Object.entries(json.properties)
    .map(([name, p]) => {
      const values = p.enum ?? p.items?.enum;
      const notes = [
        p.description,
        values ? `One of ${values.join(', ')}.` : undefined,
        p.default !== undefined ? `Default: ${String(p.default)}.` : undefined,
        json.required?.includes(name) ? 'Required.' : undefined,
        p.type === 'array' ? 'Repeatable.' : undefined,
      ].filter(Boolean);
      return `  --${optionName(name).padEnd(14)} ${notes.join(' ')}`;
    })
    .join('\n');
}

const FORMAT_HELP = `  --format FORMAT  table (default), csv or json`;

function queryCommand(path: string, query: QueryDefinition<never>, formats: readonly OutputFormat[], intro: string): Command {
  const own = ['format', 'bom', 'config', 'help'];
  return {
    path: [path],
    summary: query.summary,
    help: `Usage: tagpulse ${path} [options]

${intro}
Reads the search engine directly, through the same query code as the HTTP API (/api/${query.name}); csv and
json give exactly the rows the API gives. A tag may be given in any spelling; it is canonicalised first.

Options:
${optionsHelp(query.params)}
${formats.includes('gexf') ? `${FORMAT_HELP}, or gexf (a graph for Gephi)` : FORMAT_HELP}
  --bom            with --format csv: start with a UTF-8 byte-order mark (for Excel)

Columns, formulas and what empty buckets mean: docs/api.md.
`,
    options: { ...optionsOf(query.params), format: { type: 'string' }, bom: { type: 'boolean' } } satisfies OptionSpec,
    async run({ values, io }) {
      const format = choice('format', values.format, formats, 'table');
      const params = paramsOf(query.params, values, own);
      const text = await withQueryContext(values.config as string | undefined, async (context) =>
        formatAnswer(query, await query.run(context, params as never), format, values.bom === true),
      );
      io.stdout.write(text);
    },
  };
}

export const trendsCommand = queryCommand(
  'trends',
  QUERIES.trends,
  ['table', 'csv', 'json'],
  'Posts per tag or family per hour, day, ISO week (from Monday) or month, in the time zone asked for, with\nDST-correct bucket boundaries; a bucket without posts is 0.',
);
export const cooccurCommand = queryCommand(
  'cooccur',
  QUERIES.cooccurrence,
  ['table', 'csv', 'json', 'gexf'],
  "A tag's co-occurring tags over the range: posts with both, and PMI, NPMI, lift and Jaccard.",
);
export const abuseCommand = queryCommand(
  'abuse',
  QUERIES.abuse,
  ['table', 'csv', 'json'],
  'Classified posts, abusive posts and posts abusive toward women per bucket, the share toward women with its\nWilson 95% interval, and abusive posts per category.',
);
export const searchCommand = queryCommand(
  'search',
  QUERIES.search,
  ['table', 'csv', 'json'],
  'Posts by full text and filters, newest first; --search-after takes the `next` cursor of a json page.',
);
