/**
 * Canonical tag keys: one lowercase ASCII "skeleton" per tag, shared by its spellings in Kazakh Cyrillic,
 * Kazakh Latin (official 2021, 2018 acute and informal), Russian transliteration, any case, with or without
 * separators, diacritics and Latin/Cyrillic homoglyphs. Keys are compared as whole strings only, so
 * #seruen and #seruenkz stay two tags. The folding table is documented in docs/metrics.md#canonical-tags;
 * keep the two in step.
 */

/** Letters whose script takes part in homoglyph resolution; NEUTRAL covers digits and letters of other scripts. */
const NEUTRAL = 0;
const LATIN = 1;
const CYRILLIC = 2;
const GREEK = 3;
type Script = typeof NEUTRAL | typeof LATIN | typeof CYRILLIC | typeof GREEK;

/** How one character enters a key. */
interface Unit {
  readonly script: Script;
  /** Skeleton when the character is read in its own script ('' for the soft and hard signs). */
  readonly own: string;
  /** Skeleton when it stands for its Latin / Cyrillic lookalike; undefined when it has none. */
  readonly asLatin: string | undefined;
  readonly asCyrillic: string | undefined;
  /** Has a lookalike in another script, so it says nothing about which script a word is in. */
  readonly confusable: boolean;
}

/**
 * Cyrillic letters (Kazakh and Russian, plus the few neighbours that show up in tags) to skeleton.
 * Kazakh-specific letters fold into the letter a Russian keyboard types instead (қ→к, ө→о, і→и...), because
 * that is how they are written when the Kazakh layout is missing.
 */
const CYRILLIC_SKELETON: Readonly<Record<string, string>> = {
  а: 'a', ә: 'a', б: 'b', в: 'v', г: 'g', ғ: 'g', ґ: 'g', д: 'd', е: 'e', ё: 'e', є: 'e', э: 'e',
  ж: 'j', җ: 'j', з: 'z', и: 'i', й: 'i', і: 'i', ы: 'i', ј: 'i', к: 'k', қ: 'k', л: 'l', м: 'm',
  н: 'n', ң: 'n', о: 'o', ө: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ү: 'u', ұ: 'u', ў: 'u',
  ф: 'f', х: 'h', һ: 'h', ҳ: 'h', ц: 'c', ч: 'ch', ш: 'sh', щ: 'sh', ъ: '', ь: '', ю: 'iu', я: 'ia',
  ѕ: 'dz',
};

/**
 * Latin letters whose skeleton is not simply their base letter without diacritics. Applied to the letter
 * itself first, then to its base (so ẍ is x is ks). The Kazakh readings win where languages disagree:
 * ý is у (2018 alphabet), w is у (informal), j is ж, y is ы/й.
 */
const LATIN_SPECIAL: Readonly<Record<string, string>> = {
  q: 'k', w: 'u', y: 'i', x: 'ks', ı: 'i', ý: 'u', ç: 'ch', č: 'ch', ş: 'sh', ș: 'sh', š: 'sh',
  ž: 'j', ţ: 'c', ț: 'c', ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', ł: 'l', þ: 'th',
  ŋ: 'n', ə: 'a', ǝ: 'a', ɵ: 'o',
};

/** Lowercase Latin letters and the Cyrillic letter they are mistaken for (either case, after lowercasing). */
const LATIN_LOOKALIKE_OF_CYRILLIC: Readonly<Record<string, string>> = {
  a: 'а', b: 'в', c: 'с', e: 'е', ë: 'ё', h: 'н', i: 'і', j: 'ј', k: 'к', m: 'м', o: 'о', p: 'р',
  s: 'ѕ', t: 'т', x: 'х', y: 'у',
};

/** Cyrillic һ (Kazakh) looks like Latin h too; the reverse mapping prefers н, which uppercase tags produce. */
const CYRILLIC_LOOKALIKE_OF_LATIN: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(LATIN_LOOKALIKE_OF_CYRILLIC).map(([latin, cyrillic]) => [cyrillic, latin])),
  һ: 'h',
};

const GREEK_LOOKALIKE_OF_LATIN: Readonly<Record<string, string>> = {
  α: 'a', β: 'b', ε: 'e', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x',
};

/** Multi-letter spellings of one sound, folded after transliteration so Cyrillic and Latin input meet. */
const DIGRAPHS: Readonly<Record<string, string>> = {
  shch: 'sh', // щ
  sch: 'sh', // щ
  tsh: 'tsh', // т+ш: keeps "ts" below from turning it into ч
  ts: 'c', // ц
  zh: 'j', // ж
  kh: 'h', // х
  gh: 'g', // ғ
};
const DIGRAPH_PATTERN = /shch|sch|tsh|ts|zh|kh|gh|i{2,}/g;
/** A run of i (ии, ий, ый, iy, yy...) is one i: Russian endings are transliterated with one letter or two. */
const foldDigraph = (match: string): string => DIGRAPHS[match] ?? 'i';

function baseLetter(lower: string): string {
  return lower.normalize('NFD')[0] ?? lower;
}

function latinSkeleton(lower: string): string {
  const direct = LATIN_SPECIAL[lower];
  if (direct !== undefined) return direct;
  const base = baseLetter(lower);
  const special = LATIN_SPECIAL[base];
  if (special !== undefined) return special;
  return base >= 'a' && base <= 'z' ? base : lower;
}

function cyrillicSkeleton(lower: string): string {
  return CYRILLIC_SKELETON[lower] ?? CYRILLIC_SKELETON[baseLetter(lower)] ?? lower;
}

function unit(script: Script, own: string, asLatin?: string, asCyrillic?: string): Unit {
  const confusable = script === LATIN ? asCyrillic !== undefined : script !== NEUTRAL && asLatin !== undefined;
  return { script, own, asLatin, asCyrillic, confusable };
}

const IS_LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
const IS_MARK = /^\p{M}$/u;
/** Letters of no particular script (ʼ ʻ ª) are apostrophes and ordinals in tags, so they separate. */
const IS_SCRIPTLESS = /^[\p{Script=Common}\p{Script=Inherited}]$/u;
const SCRIPTS: ReadonlyArray<readonly [RegExp, Script]> = [
  [/^\p{Script=Latin}$/u, LATIN],
  [/^\p{Script=Cyrillic}$/u, CYRILLIC],
  [/^\p{Script=Greek}$/u, GREEK],
];

/** What a character contributes: a unit, MARK (combining mark) or undefined (a separator: dropped). */
const MARK = 'mark';
function classify(ch: string): Unit | typeof MARK | undefined {
  if (IS_MARK.test(ch)) return MARK;
  if (!IS_LETTER_OR_DIGIT.test(ch)) return undefined;
  if (ch >= '0' && ch <= '9') return unit(NEUTRAL, ch);
  if (IS_SCRIPTLESS.test(ch)) return undefined;
  const lower = ch.toLowerCase();
  const script = SCRIPTS.find(([pattern]) => pattern.test(ch))?.[1] ?? NEUTRAL;
  if (script === LATIN) {
    const lookalike = LATIN_LOOKALIKE_OF_CYRILLIC[lower];
    return unit(LATIN, latinSkeleton(lower), undefined, lookalike && cyrillicSkeleton(lookalike));
  }
  if (script === CYRILLIC) {
    const lookalike = CYRILLIC_LOOKALIKE_OF_LATIN[lower];
    return unit(CYRILLIC, cyrillicSkeleton(lower), lookalike && latinSkeleton(lookalike));
  }
  if (script === GREEK) {
    const base = baseLetter(lower);
    const latin = GREEK_LOOKALIKE_OF_LATIN[base];
    if (latin === undefined) return unit(GREEK, base);
    const cyrillic = LATIN_LOOKALIKE_OF_CYRILLIC[latin];
    return unit(GREEK, base, latinSkeleton(latin), cyrillic ? cyrillicSkeleton(cyrillic) : latinSkeleton(latin));
  }
  return unit(NEUTRAL, lower);
}

/** Precomputed for the Latin, Greek, Cyrillic and neighbouring blocks; rarer characters are classified as met. */
const TABLE_END = 0x2000;
const TABLE: ReadonlyArray<Unit | typeof MARK | undefined> = Array.from({ length: TABLE_END }, (_, code) =>
  classify(String.fromCharCode(code)),
);

/** Reused across calls (keys are computed one at a time): the current word's units and resolved scripts. */
const word: Unit[] = [];
let wordLength = 0;
const nearest: Script[] = [];
const nearestDistance: number[] = [];

/**
 * A confusable letter (Cyrillic а or Latin p) is read in the script of the nearest letter that is not
 * confusable: in "мeнoяндым" the Latin e and o sit next to я, д, ы and become Cyrillic. A word of confusable
 * letters only goes to the script most of its letters are in, Cyrillic on a tie (the corpus is mostly Cyrillic).
 */
function readWord(): string {
  let out = '';
  let firstScript: Script = NEUTRAL;
  let mixed = false;
  for (let i = 0; i < wordLength; i++) {
    const u = word[i]!;
    out += u.own;
    if (u.script === NEUTRAL) continue;
    if (firstScript === NEUTRAL) firstScript = u.script;
    else if (u.script !== firstScript) mixed = true;
  }
  if (!mixed) return out;
  out = '';
  let latin = 0;
  let cyrillic = 0;
  let last: Script = NEUTRAL;
  let lastAt = -1;
  for (let i = 0; i < wordLength; i++) {
    const u = word[i]!;
    if (u.script === LATIN) latin++;
    else if (u.script === CYRILLIC) cyrillic++;
    if (u.script !== NEUTRAL && !u.confusable) {
      last = u.script;
      lastAt = i;
    }
    nearest[i] = last;
    nearestDistance[i] = last === NEUTRAL ? Infinity : i - lastAt;
  }
  last = NEUTRAL;
  for (let i = wordLength - 1; i >= 0; i--) {
    const u = word[i]!;
    if (u.script !== NEUTRAL && !u.confusable) {
      last = u.script;
      lastAt = i;
    }
    if (last !== NEUTRAL && lastAt - i < nearestDistance[i]!) nearest[i] = last;
  }
  const majority: Script = latin > cyrillic ? LATIN : CYRILLIC;
  for (let i = 0; i < wordLength; i++) {
    const u = word[i]!;
    const script = nearest[i] === NEUTRAL ? majority : nearest[i];
    const reading = script === u.script ? u.own : script === LATIN ? u.asLatin : script === CYRILLIC ? u.asCyrillic : undefined;
    out += reading ?? u.own;
  }
  return out;
}

function foldDigraphs(folded: string): string {
  // Most keys have no digraph: skip the replace (and its callback) unless one can occur.
  return folded.includes('h') || folded.includes('ts') || folded.includes('ii')
    ? folded.replace(DIGRAPH_PATTERN, foldDigraph)
    : folded;
}

/**
 * The skeleton of any text, uncached: what canonicalTag computes, for callers that fold many one-off words
 * (the language identifier) and must not flood the tag cache.
 */
export function skeleton(text: string): string {
  const s = text.normalize('NFKC');
  let out = '';
  wordLength = 0;
  let keepMarks = false;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    let entry: Unit | typeof MARK | undefined;
    let wide: string | undefined;
    if (code < TABLE_END) {
      entry = TABLE[code];
    } else {
      const point = s.codePointAt(i)!;
      wide = String.fromCodePoint(point);
      if (point > 0xffff) i++;
      entry = classify(wide);
    }
    if (entry === MARK) {
      // Marks of other scripts (Devanagari vowel signs, Arabic harakat) are part of the letter; on Latin,
      // Cyrillic and Greek letters they are diacritics, which the key drops.
      if (keepMarks) word[wordLength++] = unit(NEUTRAL, wide ?? s[i]!);
      continue;
    }
    if (entry === undefined) {
      if (wordLength > 0) out += readWord();
      wordLength = 0;
      keepMarks = false;
      continue;
    }
    word[wordLength++] = entry;
    keepMarks = entry.script === NEUTRAL && !(code >= 0x30 && code <= 0x39);
  }
  if (wordLength > 0) out += readWord();
  return foldDigraphs(out);
}

/** Tags repeat heavily in a campaign; a bounded cache makes the common case one map lookup. */
const CACHE_LIMIT = 50_000;
const cache = new Map<string, string>();

/**
 * The canonical key of a tag (with or without '#'): equal keys mean the same tag. Empty when the tag has no
 * letters or digits.
 */
export function canonicalTag(tag: string): string {
  let key = cache.get(tag);
  if (key === undefined) {
    key = skeleton(tag);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(tag, key);
  }
  return key;
}

/** Canonical keys of tags, deduplicated in first-seen order, without empty keys. */
export function canonicalTags(tags: Iterable<string>): string[] {
  const keys = new Set<string>();
  for (const tag of tags) {
    const key = canonicalTag(tag);
    if (key !== '') keys.add(key);
  }
  return [...keys];
}
