import { UserFacingError } from '../../cli/command.js';
import type { TagpulseConfig } from '../../schemas/index.js';
import { elasticsearchTransport, openSearchTransport, type Credentials } from './adapters.js';
import { authorizationOf, credentialsFrom } from './credentials.js';
import { SearchStore } from './search-store.js';
import type { EngineInfo, EngineName } from './store.js';

/** Asks the server itself which engine it is (`GET /`): OpenSearch says `version.distribution: "opensearch"`. */
export async function detectEngine(node: string, credentials: Credentials = {}): Promise<EngineInfo> {
  const headers = authorizationOf(credentials);
  let root: { cluster_name?: string; version?: { number?: string; distribution?: string } };
  try {
    const response = await fetch(new URL('/', node), { headers, signal: AbortSignal.timeout(10_000) });
    if (response.status === 401) throw new UserFacingError(`the search engine at ${node} refused our credentials (401); check search.usernameEnv/passwordEnv/apiKeyEnv`);
    root = (await response.json()) as typeof root;
  } catch (error) {
    if (error instanceof UserFacingError) throw error;
    throw new UserFacingError(
      `cannot reach the search engine at ${node} (${(error as Error).message}); start it with \`tagpulse stack up\` or fix search.node in the config`,
    );
  }
  const version = root.version?.number;
  if (!version) throw new UserFacingError(`${node} answered GET / without a version: it is not OpenSearch or Elasticsearch`);
  const engine: EngineName = root.version?.distribution === 'opensearch' ? 'opensearch' : 'elasticsearch';
  return { engine, version, clusterName: root.cluster_name };
}

/** Opens the store for the configured node with the adapter its engine needs (or the one the config forces). */
export async function openStore(config: TagpulseConfig, env: NodeJS.ProcessEnv = process.env): Promise<SearchStore> {
  const credentials = credentialsFrom(config.search, env);
  const info = await detectEngine(config.search.node, credentials);
  const engine = config.search.engine === 'auto' ? info.engine : config.search.engine;
  if (engine !== info.engine) {
    throw new UserFacingError(`search.engine is "${config.search.engine}" but ${config.search.node} is ${info.engine} ${info.version}; set search.engine to "auto"`);
  }
  if (engine === 'elasticsearch' && !info.version.startsWith('8.')) {
    throw new UserFacingError(`Elasticsearch ${info.version} at ${config.search.node} is not supported; Tagpulse speaks Elasticsearch 8 and OpenSearch 2`);
  }
  const transport =
    engine === 'opensearch'
      ? await openSearchTransport(config.search.node, info, credentials)
      : await elasticsearchTransport(config.search.node, info, credentials);
  return new SearchStore(transport, config.search.indexPrefix);
}
