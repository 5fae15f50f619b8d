import type { Command, CommandEntry } from '../command.js';

/** An entry whose command is the export `name` of the module `load` imports. */
function lazy<M extends Record<N, Command>, N extends string>(path: string[], summary: string, load: () => Promise<M>, name: N): CommandEntry {
  return { path, summary, load: async () => (await load())[name] };
}

/**
 * Every CLI command, in the order `tagpulse --help` lists them. Add a command by adding it here.
 *
 * Each entry names its command and loads the command's module only when that command runs (or prints its own
 * --help): importing every module up front loaded Kafka, both search clients, the API and vega on every call,
 * over a second before anything happened. The path and summary repeat the command's own; a unit test
 * (test/unit/foundation/cli-commands.test.ts) holds them equal.
 */
export const COMMANDS: CommandEntry[] = [
  lazy(['start'], 'Run everything: local stack, init, collectors, processors and the web server (what `npm start` runs)', () => import('./start.js'), 'startCommand'),
  lazy(['stack', 'up'], 'Start the local Kafka and OpenSearch (or reuse running ones), then run init', () => import('./stack.js'), 'stackUpCommand'),
  lazy(['stack', 'down'], 'Stop the local servers that `stack up` started (and nothing else)', () => import('./stack.js'), 'stackDownCommand'),
  lazy(['stack', 'status'], 'Show what runs, with the versions the servers themselves report', () => import('./stack.js'), 'stackStatusCommand'),
  lazy(['init'], 'Create or update Kafka topics and search indices (idempotent)', () => import('./init.js'), 'initCommand'),
  lazy(['import'], 'Import exports of other tools (Telegram Desktop, Zeeschuimer, twarc2, 4CAT, generic) into the pipeline', () => import('./import.js'), 'importCommand'),
  lazy(['collect'], 'Collect posts from the configured platforms into Kafka, once or on schedules', () => import('./collect.js'), 'collectCommand'),
  lazy(['process'], 'Run the stream processors: normalise, metrics and the search-engine sink', () => import('./process.js'), 'processCommand'),
  lazy(['serve'], 'Run the HTTP API and the scheduled reports (the stack must be running)', () => import('./serve.js'), 'serveCommand'),
  lazy(['trends'], 'Posts per tag or family and time bucket', () => import('./query.js'), 'trendsCommand'),
  lazy(['cooccur'], "A tag's co-occurring tags with count, PMI, NPMI, lift and Jaccard", () => import('./query.js'), 'cooccurCommand'),
  lazy(['abuse'], 'Abusive posts, abuse toward women with its share and Wilson interval, and categories, per bucket', () => import('./query.js'), 'abuseCommand'),
  lazy(['search'], 'Posts by full text (Russian, Kazakh, English) and filters, newest first, paged with search_after', () => import('./query.js'), 'searchCommand'),
  lazy(['export'], 'Export posts, trends, co-occurrence or abuse to a CSV (or JSON) file', () => import('./export.js'), 'exportCommand'),
  lazy(['dashboards', 'import'], 'Load the dashboards into Kibana or OpenSearch Dashboards (saved-objects import, overwrite)', () => import('./dashboards.js'), 'dashboardsImportCommand'),
  lazy(['dashboards', 'export'], 'Write the dashboards as saved-objects NDJSON files for Kibana and OpenSearch Dashboards', () => import('./dashboards.js'), 'dashboardsExportCommand'),
  lazy(['classify'], 'Classify posts for abuse toward women (JSONL on stdin, JSONL on stdout)', () => import('./classify.js'), 'classifyCommand'),
  lazy(['schema'], 'Print the JSON Schema of a message, document or the config file', () => import('./schema.js'), 'schemaCommand'),
  lazy(['tags', 'canonical'], 'Print the canonical key (and families) of tags, one per line', () => import('./tags-canonical.js'), 'tagsCanonicalCommand'),
];
