import { BASE_WINDOW_MS } from '../../schemas/index.js';
import { pushTo } from './multimap.js';
import { packBySize } from './pack.js';

/** One changelog record: the store-qualified key and its value, or null (a tombstone) once removed. */
export interface ChangelogRecord {
  key: string;
  value: string | null;
}

/** What the runtime needs of a store: restoring it on start and taking its changes for each transaction. */
export interface ChangelogStore {
  readonly name: string;
  /** Takes one changelog record of this store read back on start (null: a tombstone); nothing is logged again. */
  restore(key: string, text: string | null): void;
  /** Called once every record was read: the store is then as it was after the last committed transaction. */
  finishRestore(): void;
  takeChangelog(): ChangelogRecord[];
}

/** Changelog keys are `<store name>|<key>`, so one compacted topic holds every store of every stage. */
export const CHANGELOG_KEY_SEPARATOR = '|';

function checkStoreName(name: string): void {
  if (name.includes(CHANGELOG_KEY_SEPARATOR)) throw new RangeError(`store name "${name}" must not contain "${CHANGELOG_KEY_SEPARATOR}"`);
}

/** The changelog key of a store's key (or record id). */
const qualified = (store: string, key: string) => `${store}${CHANGELOG_KEY_SEPARATOR}${key}`;

/**
 * A small in-memory key-value store of numbers (the watermark of each input partition) whose every change is
 * written, as the current value, to the compacted changelog topic in the same Kafka transaction as the outputs
 * and offsets it belongs to; the latest record of a key is its value on restore.
 */
export class NumberStore implements ChangelogStore {
  readonly #values = new Map<string, number>();
  readonly #changed = new Set<string>();

  constructor(readonly name: string) {
    checkStoreName(name);
  }

  get(key: string): number | undefined {
    return this.#values.get(key);
  }

  put(key: string, value: number): void {
    this.#values.set(key, value);
    this.#changed.add(key);
  }

  restore(key: string, text: string | null): void {
    if (text === null) this.#values.delete(key);
    else this.#values.set(key, Number(text));
  }

  finishRestore(): void {}

  takeChangelog(): ChangelogRecord[] {
    const records = [...this.#changed].map((key) => ({ key: qualified(this.name, key), value: String(this.#values.get(key)) }));
    this.#changed.clear();
    return records;
  }
}

/** How a windowed store writes its values into changelog records (as JSON values), and reads them back. */
export interface WindowedCodec<V> {
  /**
   * Absent for a store whose values the stage derives again on restore from another store (a metric's cells,
   * counted again from the posts counted): it writes nothing but tombstones. Records an earlier version logged
   * for it are still read back, kept as they are, and tombstoned once all their windows have been evicted.
   */
  save?(value: V, key: string): unknown;
  /** Undefined drops the entry (e.g. the state of a metric that no longer exists). */
  load(saved: unknown, key: string, window: number): V | undefined;
  /**
   * A record of the changelog as Tagpulse wrote it before window stores logged per transaction: one record per
   * key, keyed `<store>|<key>`, its value as text. Read after an upgrade; a store with `save` rewrites such
   * entries in the current format and tombstones the old records in its next transaction (one without keeps
   * them until their windows are evicted).
   */
  loadPerKeyRecord(text: string, key: string): { value: V; window: number } | undefined;
}

/** Ids of the records this store writes; any other id is a record of the per-key format (loadPerKeyRecord). */
const RECORD_ID = /^\d+:\d+$/;

/**
 * The most bytes of entries one changelog record carries: well under the changelog topic's 1 MiB
 * `max.message.bytes`, and under the stages' 512 KiB produce requests. An entry larger than this goes alone.
 */
export const MAX_CHANGELOG_RECORD_BYTES = 256 * 1024;

/** One entry of a windowed store. */
interface WindowedEntry<V> {
  readonly key: string;
  value: V;
  readonly window: number;
  /** Written since the last takeChangelog(), and still stored. */
  changed: boolean;
}

/**
 * An in-memory store of entries that belong to one-minute event-time windows (the first copies of posts, the
 * posts counted, a metric's cells), logged to the compacted changelog topic per transaction rather than per key
 * (or, without `save`, not logged: see WindowedCodec).
 *
 * Each transaction writes the whole current value of every entry it changed, packed in window order into a few
 * records keyed `<store>|<sequence>:<chunk>`, each entry as `[key, window start, value]`; `evictWindowsEndingBy`
 * drops whole windows from memory and writes a tombstone for each record whose windows have all been evicted. A
 * batch of posts thus costs a few records instead of a record per entry and a later tombstone for each: the
 * changelog was most of what the stages produced. On restore, the live records are applied in sequence order
 * (they are spread over the changelog's partitions, whose interleaving is arbitrary), the latest value of a key
 * winning; entries of windows that were evicted while a later window kept their record alive come back too, and
 * the stage drops them again with the eviction it runs after restoring (StreamProcessor.afterRestore).
 */
export class WindowedStore<V> implements ChangelogStore {
  readonly #entries = new Map<string, WindowedEntry<V>>();
  /** Entries written since the last takeChangelog(), in the order they were first written. */
  #changed: WindowedEntry<V>[] = [];
  readonly #entriesByWindow = new Map<number, WindowedEntry<V>[]>();
  /** Ids (`<sequence>:<chunk>`) of the records in the changelog, by the start of the newest window they hold. */
  readonly #recordsByNewestWindow = new Map<number, string[]>();
  /** Records to tombstone with the next transaction: every window they hold was evicted. */
  #tombstones: string[] = [];
  #nextSequence = 0;
  /** Windows ending at or before this were evicted already: eviction runs once per minute of event time. */
  #evictedUpTo = -Infinity;
  /** Records read back on start, by id, until finishRestore() applies them. */
  #restoring = new Map<string, string>();

  constructor(
    /** Qualified by stage, e.g. `metrics.seen`; the changelog key prefix. */
    readonly name: string,
    private readonly codec: WindowedCodec<V>,
  ) {
    checkStoreName(name);
  }

  get(key: string): V | undefined {
    return this.#entries.get(key)?.value;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /**
   * Stores a value in the window starting at `window` (ms), which is the key's for as long as it is stored.
   * Values may be mutated in place: `put` again (or `update`) to log them.
   */
  put(key: string, value: V, window: number): void {
    this.#markChanged(this.#set(key, value, window));
  }

  /** The key's value, created in `window` when absent, to be changed in place by the caller: it is logged. */
  update(key: string, window: number, create: () => V): V {
    const entry = this.#entryOrCreate(key, window, create);
    this.#markChanged(entry);
    return entry.value;
  }

  /** As update, but not logged nor listed by changed(): for state rebuilt on restore, as it was already published. */
  rebuild(key: string, window: number, create: () => V): V {
    return this.#entryOrCreate(key, window, create).value;
  }

  /** The entries written since the last takeChangelog() (in this transaction), in the order first written. */
  *changed(): IterableIterator<[string, V]> {
    for (const entry of this.#changed) if (entry.changed) yield [entry.key, entry.value];
  }

  *entries(): IterableIterator<[string, V]> {
    for (const [key, { value }] of this.#entries) yield [key, value];
  }

  /**
   * Removes every entry whose window ended at or before `horizon` (ms), and queues a tombstone for every record
   * that held only such windows. Returns how many entries went.
   */
  evictWindowsEndingBy(horizon: number): number {
    const upTo = Math.floor(horizon / BASE_WINDOW_MS) * BASE_WINDOW_MS;
    if (!(upTo > this.#evictedUpTo)) return 0;
    this.#evictedUpTo = upTo;
    let evicted = 0;
    for (const [windowStart, entries] of this.#entriesByWindow) {
      if (windowStart + BASE_WINDOW_MS > upTo) continue;
      for (const entry of entries) {
        this.#entries.delete(entry.key);
        entry.changed = false;
        evicted++;
      }
      this.#entriesByWindow.delete(windowStart);
    }
    for (const [windowStart, records] of this.#recordsByNewestWindow) {
      if (windowStart + BASE_WINDOW_MS > upTo) continue;
      this.#tombstones.push(...records);
      this.#recordsByNewestWindow.delete(windowStart);
    }
    return evicted;
  }

  /** This transaction's records: tombstones of evicted records, then every changed entry, packed by window. */
  takeChangelog(): ChangelogRecord[] {
    const records: ChangelogRecord[] = this.#tombstones.map((id) => ({ key: qualified(this.name, id), value: null }));
    this.#tombstones = [];
    const { save } = this.codec;
    const changed = [];
    for (const entry of this.#changed) {
      if (!entry.changed) continue;
      entry.changed = false;
      if (save) changed.push({ window: entry.window, json: JSON.stringify([entry.key, entry.window, save(entry.value, entry.key)]) });
    }
    this.#changed = [];
    if (changed.length === 0) return records;
    changed.sort((a, b) => a.window - b.window);
    const sequence = this.#nextSequence++;
    packBySize(changed, (entry) => Buffer.byteLength(entry.json) + 1, MAX_CHANGELOG_RECORD_BYTES).forEach((pack, chunk) => {
      const id = `${sequence}:${chunk}`;
      records.push({ key: qualified(this.name, id), value: `[${pack.map((entry) => entry.json).join(',')}]` });
      this.#remember(id, pack.at(-1)!.window);
    });
    return records;
  }

  restore(id: string, text: string | null): void {
    if (text === null) this.#restoring.delete(id);
    else this.#restoring.set(id, text);
  }

  finishRestore(): void {
    // Per-key records can only predate every record of the current format: they go first.
    for (const [key, text] of this.#restoring) {
      if (RECORD_ID.test(key)) continue;
      this.#restoring.delete(key);
      const loaded = this.codec.loadPerKeyRecord(text, key);
      if (loaded === undefined) {
        this.#tombstones.push(key);
      } else if (this.codec.save) {
        this.#tombstones.push(key);
        this.#markChanged(this.#set(key, loaded.value, loaded.window));
      } else {
        // Kept as it is, for as long as its window lives: this store cannot write it again.
        this.#set(key, loaded.value, loaded.window);
        this.#remember(key, loaded.window);
      }
    }
    const order = (id: string) => id.split(':').map(Number) as [number, number];
    const ids = [...this.#restoring.keys()].sort((a, b) => {
      const [sa, ca] = order(a);
      const [sb, cb] = order(b);
      return sa - sb || ca - cb;
    });
    for (const id of ids) {
      let newestWindow = -Infinity;
      for (const [key, window, saved] of JSON.parse(this.#restoring.get(id)!) as Array<[string, number, unknown]>) {
        newestWindow = Math.max(newestWindow, window);
        const value = this.codec.load(saved, key, window);
        if (value !== undefined) this.#set(key, value, window);
      }
      this.#remember(id, newestWindow);
      this.#nextSequence = Math.max(this.#nextSequence, order(id)[0] + 1);
    }
    this.#restoring = new Map();
  }

  #entryOrCreate(key: string, window: number, create: () => V): WindowedEntry<V> {
    return this.#entries.get(key) ?? this.#set(key, create(), window);
  }

  #set(key: string, value: V, window: number): WindowedEntry<V> {
    const existing = this.#entries.get(key);
    if (existing !== undefined) {
      existing.value = value;
      return existing;
    }
    const entry: WindowedEntry<V> = { key, value, window, changed: false };
    this.#entries.set(key, entry);
    pushTo(this.#entriesByWindow, window, entry);
    return entry;
  }

  #markChanged(entry: WindowedEntry<V>): void {
    if (entry.changed) return;
    entry.changed = true;
    this.#changed.push(entry);
  }

  #remember(id: string, newestWindow: number): void {
    pushTo(this.#recordsByNewestWindow, newestWindow, id);
  }
}
