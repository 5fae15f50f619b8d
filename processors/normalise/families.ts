import type { TagFamily } from '../../schemas/index.js';
import { canonicalTag } from './canonical.js';

const NO_FAMILIES: readonly string[] = Object.freeze([]);

/**
 * The tracked tag families of a config. A canonical key belongs to a family when it equals the key of the
 * family's name or of one of its configured aliases: canonicalisation unites spellings, while translations
 * (#янебоюсьсказать for metoo) join only through aliases. A key may belong to several families.
 */
export class TagFamilies {
  readonly #familiesByKey = new Map<string, readonly string[]>();
  readonly #keysByFamily = new Map<string, readonly string[]>();

  constructor(families: Readonly<Record<string, Pick<TagFamily, 'aliases'>>>) {
    const familiesByKey = new Map<string, string[]>();
    for (const [name, family] of Object.entries(families)) {
      const keys = new Set<string>();
      for (const spelling of [name, ...family.aliases]) {
        const key = canonicalTag(spelling);
        if (key !== '') keys.add(key);
      }
      this.#keysByFamily.set(name, Object.freeze([...keys].sort()));
      for (const key of keys) {
        const names = familiesByKey.get(key) ?? [];
        names.push(name);
        familiesByKey.set(key, names);
      }
    }
    for (const [key, names] of familiesByKey) this.#familiesByKey.set(key, Object.freeze(names.sort()));
  }

  /** Family names, in config order. */
  get names(): string[] {
    return [...this.#keysByFamily.keys()];
  }

  /** The families a canonical key belongs to, sorted; shared and frozen, so callers must not modify it. */
  familiesOf(canonicalKey: string): readonly string[] {
    return this.#familiesByKey.get(canonicalKey) ?? NO_FAMILIES;
  }

  /** The families of a post with these canonical keys, sorted and deduplicated. */
  familiesOfAll(canonicalKeys: Iterable<string>): string[] {
    const names = new Set<string>();
    for (const key of canonicalKeys) for (const name of this.familiesOf(key)) names.add(name);
    return [...names].sort();
  }

  /** The canonical keys that make up a family (for a terms query on the posts index's `tags`), sorted. */
  memberKeys(family: string): readonly string[] {
    const keys = this.#keysByFamily.get(family);
    if (keys === undefined) throw new RangeError(`unknown tag family "${family}"; families: ${this.names.join(', ')}`);
    return keys;
  }

  /** Every family with its member keys, in config order. */
  membersByFamily(): ReadonlyMap<string, readonly string[]> {
    return this.#keysByFamily;
  }
}
