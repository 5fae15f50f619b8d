import { UserFacingError } from '../../cli/command.js';
import { definitionHash, type IndexDefinition } from './indices.js';
import type { SearchStore } from './search-store.js';
import { StoreError } from './store.js';

export interface BootstrapChange {
  target: string;
  action: 'created' | 'updated' | 'migrated' | 'unchanged';
  detail?: string;
}

interface TagpulseMeta {
  tagpulse?: { logical: string; version: number; hash: string };
}

function physicalName(store: SearchStore, definition: IndexDefinition, version = definition.version): string {
  return `${store.alias(definition.logical)}-v${version}`;
}

function withMeta(definition: IndexDefinition): Record<string, unknown> {
  const meta: TagpulseMeta = { tagpulse: { logical: definition.logical, version: definition.version, hash: definitionHash(definition) } };
  return { ...definition.mappings, _meta: meta };
}

/** The composable index template that gives every physical version of a logical index its settings and mappings. */
async function ensureTemplate(store: SearchStore, definition: IndexDefinition): Promise<BootstrapChange> {
  const name = store.alias(definition.logical);
  const body = {
    index_patterns: [`${name}-v*`],
    priority: 100,
    template: { settings: definition.settings, mappings: withMeta(definition) },
    _meta: { tagpulse: { version: definition.version, hash: definitionHash(definition) } },
  };
  let existingHash: string | undefined;
  try {
    const existing = await store.transport.request<{ index_templates: Array<{ index_template: { _meta?: TagpulseMeta } }> }>(
      'GET',
      `/_index_template/${name}`,
    );
    existingHash = existing.index_templates[0]?.index_template._meta?.tagpulse?.hash;
  } catch (error) {
    if (!(error instanceof StoreError && error.status === 404)) throw error;
  }
  if (existingHash === definitionHash(definition)) return { target: `template ${name}`, action: 'unchanged' };
  await store.transport.request('PUT', `/_index_template/${name}`, { body });
  return { target: `template ${name}`, action: existingHash ? 'updated' : 'created' };
}

async function aliasTargets(store: SearchStore, alias: string): Promise<string[]> {
  try {
    return Object.keys(await store.transport.request<Record<string, unknown>>('GET', `/_alias/${alias}`));
  } catch (error) {
    if (error instanceof StoreError && error.status === 404) return [];
    throw error;
  }
}

/**
 * Makes the alias point at the current physical version, creating or migrating as needed:
 * none → create; an older version → create the new one, reindex into it, swap the alias atomically (the old index is kept);
 * the current version with another definition hash → refuse, because a changed mapping must bump the version.
 */
async function ensureIndex(store: SearchStore, definition: IndexDefinition): Promise<BootstrapChange> {
  const alias = store.alias(definition.logical);
  const current = physicalName(store, definition);
  const targets = await aliasTargets(store, alias);
  if (targets.includes(current)) {
    const mapping = await store.transport.request<Record<string, { mappings: { _meta?: TagpulseMeta } }>>('GET', `/${current}/_mapping`);
    const storedHash = mapping[current]?.mappings._meta?.tagpulse?.hash;
    if (storedHash !== definitionHash(definition)) {
      throw new UserFacingError(
        `index ${current} was made from another definition of "${definition.logical}" (hash ${storedHash}, code has ${definitionHash(definition)}): ` +
          `bump its version in infra/store/indices.ts so \`tagpulse init\` migrates it`,
      );
    }
    return { target: `index ${alias}`, action: 'unchanged', detail: current };
  }
  if (!(await store.exists(`/${current}`))) {
    await store.transport.request('PUT', `/${current}`);
  }
  if (targets.length === 0) {
    await store.transport.request('POST', '/_aliases', { body: { actions: [{ add: { index: current, alias } }] } });
    return { target: `index ${alias}`, action: 'created', detail: current };
  }
  for (const old of targets) {
    // Reindex reads through search, which sees only refreshed documents.
    await store.refresh(old);
    await store.transport.request('POST', '/_reindex', {
      query: { wait_for_completion: true, refresh: true },
      body: {
        source: { index: old },
        dest: { index: current, version_type: 'external' },
        ...(definition.reindexScript ? { script: { lang: 'painless', source: definition.reindexScript } } : {}),
      },
    });
  }
  await store.transport.request('POST', '/_aliases', {
    body: { actions: [...targets.map((index) => ({ remove: { index, alias } })), { add: { index: current, alias } }] },
  });
  return { target: `index ${alias}`, action: 'migrated', detail: `${targets.join(', ')} → ${current} (old index kept)` };
}

export async function ensureIndices(store: SearchStore, definitions: readonly IndexDefinition[]): Promise<BootstrapChange[]> {
  const changes: BootstrapChange[] = [];
  for (const definition of definitions) {
    changes.push(await ensureTemplate(store, definition));
    changes.push(await ensureIndex(store, definition));
  }
  return changes;
}
