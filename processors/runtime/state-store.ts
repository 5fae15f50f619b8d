import { BASE_WINDOW_MS } from '../../schemas/index.js';

/** How a store writes its values to the changelog and reads them back. */
export interface Codec<V> {
  encode(value: V, key: string): string;
  /** Undefined drops the record (e.g. the state of a metric that no longer exists). */
  decode(text: string, key: string): V | undefined;
}

/** One changelog record: the store-qualified key and the whole current value, or null (a tombstone) once removed. */
export interface ChangelogRecord {
  key: string;
  value: string | null;
}

/** What the runtime needs of a store: restoring it on start and taking its changes for each transaction. */
export interface ChangelogStore {
  readonly name: string;
  restore(key: string, text: string | null): void;
  takeChangelog(): ChangelogRecord[];
}

/** Changelog keys are `<store name>|<key>`, so one compacted topic holds every store of every stage. */
export const CHANGELOG_KEY_SEPARATOR = '|';

/**
 * An in-memory key-value store whose every change is also written, as the whole current value, to the
 * compacted changelog topic in the same Kafka transaction as the outputs and offsets it belongs to; a restart
 * rebuilds it by reading the changelog to its end. Values may be mutated in place: `put` again to log them.
 *
 * With `windowOf`, entries belong to one-minute event-time windows and `evictWindowsEndingBy` removes whole
 * windows (logging tombstones), which is what keeps the state bounded.
 */
export class StateStore<V> implements ChangelogStore {
  readonly #values = new Map<string, V>();
  /** Keys written or removed since the last takeChangelog(). */
  readonly #changed = new Set<string>();
  readonly #keysByWindow = new Map<number, Set<string>>();
  /** Windows ending at or before this were evicted already: eviction runs once per minute of event time. */
  #evictedUpTo = -Infinity;

  constructor(
    /** Qualified by stage, e.g. `metrics.seen`; the changelog key prefix. */
    readonly name: string,
    private readonly codec: Codec<V>,
    private readonly windowOf?: (key: string, value: V) => number,
  ) {
    if (name.includes(CHANGELOG_KEY_SEPARATOR)) throw new RangeError(`store name "${name}" must not contain "${CHANGELOG_KEY_SEPARATOR}"`);
  }

  get size(): number {
    return this.#values.size;
  }

  get(key: string): V | undefined {
    return this.#values.get(key);
  }

  has(key: string): boolean {
    return this.#values.has(key);
  }

  put(key: string, value: V): void {
    if (!this.#values.has(key)) this.#index(key, value);
    this.#values.set(key, value);
    this.#changed.add(key);
  }

  /** Applies one changelog record read back on start (null: the key was removed); nothing is logged again. */
  restore(key: string, text: string | null): void {
    const previous = this.#values.get(key);
    if (previous !== undefined) this.#unindex(key, previous);
    this.#values.delete(key);
    if (text === null) return;
    const value = this.codec.decode(text, key);
    if (value === undefined) return;
    this.#values.set(key, value);
    this.#index(key, value);
  }

  /**
   * Removes every entry whose window ended at or before `horizon` (ms), logging a tombstone for each.
   * Returns how many entries went.
   */
  evictWindowsEndingBy(horizon: number): number {
    const upTo = Math.floor(horizon / BASE_WINDOW_MS) * BASE_WINDOW_MS;
    if (!this.windowOf || !(upTo > this.#evictedUpTo)) return 0;
    this.#evictedUpTo = upTo;
    let evicted = 0;
    for (const [windowStart, keys] of this.#keysByWindow) {
      if (windowStart + BASE_WINDOW_MS > upTo) continue;
      for (const key of keys) {
        this.#values.delete(key);
        this.#changed.add(key);
        evicted++;
      }
      this.#keysByWindow.delete(windowStart);
    }
    return evicted;
  }

  /** The changelog records of everything changed since the last call, in change order; resets the tracking. */
  takeChangelog(): ChangelogRecord[] {
    const records: ChangelogRecord[] = [];
    for (const key of this.#changed) {
      const value = this.#values.get(key);
      records.push({
        key: `${this.name}${CHANGELOG_KEY_SEPARATOR}${key}`,
        value: value === undefined ? null : this.codec.encode(value, key),
      });
    }
    this.#changed.clear();
    return records;
  }

  entries(): IterableIterator<[string, V]> {
    return this.#values.entries();
  }

  #index(key: string, value: V): void {
    if (!this.windowOf) return;
    const windowStart = this.windowOf(key, value);
    let keys = this.#keysByWindow.get(windowStart);
    if (keys === undefined) this.#keysByWindow.set(windowStart, (keys = new Set()));
    keys.add(key);
  }

  #unindex(key: string, value: V): void {
    if (!this.windowOf) return;
    const windowStart = this.windowOf(key, value);
    const keys = this.#keysByWindow.get(windowStart);
    keys?.delete(key);
    if (keys?.size === 0) this.#keysByWindow.delete(windowStart);
  }
}

/** Numbers as decimal text (watermarks, window starts). */
export const numberCodec: Codec<number> = {
  encode: (value) => String(value),
  decode: (text) => Number(text),
};

/** Plain JSON values. */
export function jsonCodec<V>(): Codec<V> {
  return { encode: (value) => JSON.stringify(value), decode: (text) => JSON.parse(text) as V };
}
