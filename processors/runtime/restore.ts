import { readCommittedToEnd } from '../../ingest/framework/kafka.js';
import type { TagpulseConfig } from '../../schemas/index.js';
import { CHANGELOG_KEY_SEPARATOR, type ChangelogStore } from './state-store.js';

/** Restoring a large state can take a while; past this, something is wrong with the broker. */
const RESTORE_TIMEOUT_MS = 10 * 60_000;

/**
 * Rebuilds stores from the changelog: reads it from the beginning to its current end (read_committed, so
 * records of aborted transactions never come back) and replays every record of these stores in order; the
 * latest record of a key is its value, a tombstone removes it. Records of other stores are skipped. Then each
 * store finishes (a windowed store applies its records in sequence order).
 * Call after the stages' producers fenced their predecessors, so no transaction of theirs is still open.
 */
export async function restoreStores(config: TagpulseConfig, changelogTopic: string, stores: readonly ChangelogStore[]): Promise<number> {
  const apply = changelogApplier(stores);
  let restored = 0;
  await readCommittedToEnd(
    config,
    changelogTopic,
    (message) => {
      const key = message.key?.toString();
      if (key !== undefined && apply(key, message.value === null ? null : message.value.toString())) restored++;
    },
    RESTORE_TIMEOUT_MS,
  );
  for (const store of stores) store.finishRestore();
  return restored;
}

/** Routes changelog records (`<store>|<key>`) to the store they belong to; false for another stage's record. */
export function changelogApplier(stores: readonly ChangelogStore[]): (key: string, value: string | null) => boolean {
  const byName = new Map(stores.map((store) => [store.name, store]));
  return (qualified, value) => {
    const separator = qualified.indexOf(CHANGELOG_KEY_SEPARATOR);
    const store = byName.get(qualified.slice(0, separator));
    store?.restore(qualified.slice(separator + 1), value);
    return store !== undefined;
  };
}
