import type { SearchStore } from '../../infra/store/search-store.js';
import { TagFamilies } from '../../processors/normalise/families.js';
import type { TagpulseConfig } from '../../schemas/index.js';

/** Who sees post authors: `pseudonyms` (researcher keys) gets only `h1:` pseudonyms, `all` (admin, the CLI) whatever is stored. */
export type AuthorVisibility = 'pseudonyms' | 'all';

/** What every query runs with; one per server or CLI run, `authors` per caller. */
export interface QueryContext {
  store: SearchStore;
  config: TagpulseConfig;
  families: TagFamilies;
  authors: AuthorVisibility;
  /** The clock relative times (`now`, `-7d`) and `generated_at` read; tests fix it. */
  now(): number;
}

export function queryContext(store: SearchStore, config: TagpulseConfig, authors: AuthorVisibility, now: () => number = Date.now): QueryContext {
  return { store, config, families: new TagFamilies(config.families), authors, now };
}
