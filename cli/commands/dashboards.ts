import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../infra/config.js';
import { LANGUAGES, type Language } from '../../dashboards/charts.js';
import { DashboardImportError, detectProduct, importSavedObjects, type ImportTarget } from '../../dashboards/import.js';
import { NDJSON_FILE, PRODUCTS, savedObjects, toNdjson, type Product } from '../../dashboards/saved-objects.js';
import { chartContext } from '../../dashboards/specs.js';
import type { TagpulseConfig } from '../../schemas/index.js';
import { choice, UsageError, UserFacingError, type Command } from '../command.js';

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** Where the Markdown panel of the abuse dashboard links: the methodology as the Tagpulse server serves it. */
function methodologyUrl(config: TagpulseConfig, given: unknown): string {
  if (typeof given === 'string') {
    try {
      return new URL(given).href;
    } catch {
      throw new UsageError(`--methodology-url must be an absolute URL such as https://example.org/abuse-methodology (got ${JSON.stringify(given)})`);
    }
  }
  // A listen-everywhere address (the Docker config's 0.0.0.0) is no address a reader's browser can open.
  const host = ['0.0.0.0', '::', '[::]'].includes(config.api.host) ? 'localhost' : config.api.host;
  return `http://${host}:${config.api.port}/docs/abuse-methodology.md`;
}

function ndjsonFor(config: TagpulseConfig, product: Product, language: Language, methodology: string): string {
  return toNdjson(savedObjects(chartContext(config), { product, language, methodologyUrl: methodology }));
}

function envSecret(option: string, name: unknown): string | undefined {
  if (name === undefined) return undefined;
  if (typeof name !== 'string' || !ENV_NAME.test(name)) throw new UsageError(`--${option} takes the NAME of an environment variable, such as KIBANA_PASSWORD (got ${JSON.stringify(name)})`);
  const value = process.env[name];
  if (value === undefined || value === '') throw new UserFacingError(`--${option} names ${name}, but that environment variable is not set`);
  return value;
}

function authorization(values: Record<string, unknown>): string | undefined {
  const apiKey = envSecret('api-key-env', values['api-key-env']);
  const username = envSecret('username-env', values['username-env']);
  const password = envSecret('password-env', values['password-env']);
  if (apiKey !== undefined && username !== undefined) throw new UsageError('give either --api-key-env or --username-env/--password-env, not both');
  if (apiKey !== undefined) return `ApiKey ${apiKey}`;
  if ((username === undefined) !== (password === undefined)) throw new UsageError('--username-env and --password-env go together');
  if (username !== undefined) return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  return undefined;
}

const COMMON_HELP = `  --language kk|ru|en       titles and texts of the objects (default en)
  --methodology-url URL     where the abuse dashboard's methodology link points (default: the Tagpulse
                            server's /docs/abuse-methodology.md at api.host:api.port)`;

export const dashboardsImportCommand: Command = {
  path: ['dashboards', 'import'],
  summary: 'Load the dashboards into Kibana or OpenSearch Dashboards (saved-objects import, overwrite)',
  help: `Usage: tagpulse dashboards import --url URL [--product kibana|opensearch-dashboards] [--space ID]
       [--username-env NAME --password-env NAME | --api-key-env NAME] [--language kk|ru|en] [--json]

Generates the saved objects (data views, one Vega visualisation per chart, the "Campaign overview" and
"Abuse toward women" dashboards) for the config's index prefix and families, and posts them to the product's
saved-objects import API with overwrite=true, so a second import replaces the first. Without --product, the
address is asked which product it is. Credentials are read from the environment variables named.

Options:
  --url URL                 Kibana or OpenSearch Dashboards, e.g. http://127.0.0.1:5601
  --product P               kibana or opensearch-dashboards (default: detected)
  --space ID                Kibana space (default: the default space)
  --username-env NAME       environment variable with the user name (basic authentication)
  --password-env NAME       environment variable with the password
  --api-key-env NAME        environment variable with a Kibana API key (encoded form)
${COMMON_HELP}
  --json                    print the import answer as JSON
`,
  options: {
    url: { type: 'string' },
    product: { type: 'string' },
    space: { type: 'string' },
    'username-env': { type: 'string' },
    'password-env': { type: 'string' },
    'api-key-env': { type: 'string' },
    language: { type: 'string' },
    'methodology-url': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, io }) {
    if (typeof values.url !== 'string') throw new UsageError('--url is required: the address of Kibana or OpenSearch Dashboards, e.g. http://127.0.0.1:5601');
    if (!URL.canParse(values.url) || !['http:', 'https:'].includes(new URL(values.url).protocol)) {
      throw new UsageError(`--url must be an absolute http(s) URL (got ${JSON.stringify(values.url)})`);
    }
    const config = loadConfig(values.config as string | undefined);
    const language = choice('language', values.language, LANGUAGES, 'en');
    const methodology = methodologyUrl(config, values['methodology-url']);
    const target: ImportTarget = { url: values.url, space: values.space as string | undefined, authorization: authorization(values) };
    try {
      const product = values.product === undefined ? await detectProduct(target) : choice('product', values.product, PRODUCTS, 'kibana');
      const result = await importSavedObjects(target, product, ndjsonFor(config, product, language, methodology));
      if (values.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else {
        io.stdout.write(`${product}: ${result.successCount} saved objects imported (overwrite) into ${values.url}${values.space ? ` space ${values.space}` : ''}\n`);
        for (const error of result.errors) io.stdout.write(`  failed: ${error.type} ${error.id}${error.title ? ` (${error.title})` : ''}: ${error.error.type}\n`);
      }
      return result.success ? 0 : 1;
    } catch (error) {
      if (error instanceof DashboardImportError) throw new UserFacingError(error.message);
      throw error;
    }
  },
};

export const dashboardsExportCommand: Command = {
  path: ['dashboards', 'export'],
  summary: 'Write the dashboards as saved-objects NDJSON files for Kibana and OpenSearch Dashboards',
  help: `Usage: tagpulse dashboards export [--out DIR] [--product kibana|opensearch-dashboards] [--language kk|ru|en]

Writes ${NDJSON_FILE.kibana} (Kibana 8) and ${NDJSON_FILE['opensearch-dashboards']} (OpenSearch Dashboards 2) for the config's
index prefix and families, to import by hand (Stack Management / Dashboards Management > Saved objects > Import).

Options:
  --out DIR                 folder to write into (default: the current folder)
  --product P               only this product's file
${COMMON_HELP}
`,
  options: { out: { type: 'string' }, product: { type: 'string' }, language: { type: 'string' }, 'methodology-url': { type: 'string' } },
  async run({ values, io }) {
    const config = loadConfig(values.config as string | undefined);
    const language = choice('language', values.language, LANGUAGES, 'en');
    const products = values.product === undefined ? PRODUCTS : [choice('product', values.product, PRODUCTS, 'kibana')];
    const methodology = methodologyUrl(config, values['methodology-url']);
    const out = resolve(typeof values.out === 'string' ? values.out : '.');
    for (const product of products) {
      const file = join(out, NDJSON_FILE[product]);
      try {
        mkdirSync(out, { recursive: true });
        writeFileSync(`${file}.tmp`, ndjsonFor(config, product, language, methodology));
        renameSync(`${file}.tmp`, file);
      } catch (error) {
        // A path through a file, a folder without write permission, a full disk: say which, without a stack.
        throw new UserFacingError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; pass --out a folder you can write to`);
      }
      io.stdout.write(`wrote ${file}\n`);
    }
  },
};
