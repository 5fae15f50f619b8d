/**
 * The lexicon loader: reads the JSON data files of lexicon/ (rules, frames, gender markers, paradigms,
 * normalisation tables, doxxing detectors), validates them, and compiles them into the index the
 * classifier matches against. The data files are documented in themselves (`about` fields) and in
 * docs/abuse-methodology.md.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Normaliser, type Script } from './normalise.js';

/** Version of the matching code; the lexicon's content hash is appended to make the classifier version. */
export const ENGINE_VERSION = '1.3.0';

export type Gender = 'f' | 'm';
const GenderSchema = z.enum(['f', 'm']);

const About = z.string().min(1);
const PhraseList = z.object({ about: About, match: z.array(z.string().min(1)) }).strict();

const RuleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9_.]+$/, 'rule ids are lower case letters, digits, _ and .'),
    category: z.string(),
    about: About.optional(),
    match: z.array(z.string().min(1)).min(1),
    weight: z.number().min(0).max(1),
    wordGender: GenderSchema.optional(),
    targetGender: GenderSchema.optional(),
    needsPerson: z.boolean().optional(),
    /** Words that show a homonym; '@name' stands for the words of contexts.name. */
    unless: z.array(z.string().min(1)).optional(),
    /** How many words away a homonym word may stand (default: anywhere in the post). */
    unlessWithin: z.number().int().min(1).optional(),
    /**
     * Words one of which must be in the post for the rule to count ('@name' as in unless): templates built
     * from everyday words ('не надо было идти') are victim blaming only where sexual violence is spoken of.
     */
    onlyWith: z.array(z.string().min(1)).optional(),
    /**
     * The word counts only when it is said of a person: addressed ('ты овца', 'сиырсың'), a vocative
     * ('Заткнись, овца'), the predicate or apposition of a person word ('фемки — овцы', 'she's a cow'), or
     * stacked with another insult. Animal words are mostly literal ('Корова сбежала').
     */
    ofPerson: z.boolean().optional(),
  })
  .strict();

const ParadigmSchema = z
  .object({
    about: About,
    slots: z.array(z.array(z.string())).min(1),
    endingRequired: z.boolean().optional(),
  })
  .strict();

const FRAME_KINDS = [
  'report',
  'condemn',
  'meta',
  'news',
  'firstPersonRecipient',
  'secondPerson',
  'negationBefore',
  'negationAfter',
  'thirdPersonObject',
  'rebuttal',
  'exclamative',
  'affection',
] as const;
export type FrameKind = (typeof FRAME_KINDS)[number];

const LanguageFileSchema = z
  .object({
    about: About,
    lang: z.string().min(2),
    script: z.enum(['cyrillic', 'latin']),
    defaultParadigm: z.string(),
    paradigms: z.record(z.string(), ParadigmSchema),
    stemAlternations: z.record(z.string(), z.string()).optional(),
    latinMarkers: PhraseList.optional(),
    frames: z.object(Object.fromEntries(FRAME_KINDS.map((k) => [k, PhraseList])) as Record<FrameKind, typeof PhraseList>).strict(),
    gender: z.object({ about: About, f: z.array(z.string()), m: z.array(z.string()) }).strict(),
    agreement: z
      .object({ about: About, f: z.array(z.string()), m: z.array(z.string()), near: z.array(z.string()) })
      .strict()
      .optional(),
    persons: PhraseList,
    /** A person's props ('микрофон', 'юбка'): after an animal word they show it is said of a person. */
    props: PhraseList.optional(),
    addressee: z.object({ about: About, suffixes: z.array(z.string().min(1)) }).strict().optional(),
    contexts: z.record(z.string(), PhraseList).optional(),
    rules: z.array(RuleSchema),
  })
  .strict();
type LanguageFile = z.infer<typeof LanguageFileSchema>;

const CategoriesSchema = z
  .object({
    about: About,
    threshold: z.object({ about: About, value: z.number().min(0).max(1) }).strict(),
    unmarkedTarget: z.object({ about: About, towardWomen: z.boolean() }).strict(),
    teasing: z.object({ about: About, categories: z.array(z.string()), marks: z.array(z.string().min(1)) }).strict(),
    categories: z.record(
      z.string(),
      z.object({ about: About, basis: About, targetGender: GenderSchema.optional() }).strict(),
    ),
  })
  .strict();

const DoxxingSchema = z
  .object({
    about: About,
    category: z.string(),
    weight: z.number().min(0).max(1),
    detectors: z.array(
      z
        .object({ id: z.string(), about: About, regex: z.string(), check: z.enum(['iin']).optional() })
        .strict(),
    ),
    personal: PhraseList,
    callToAction: PhraseList,
    services: PhraseList,
  })
  .strict();

const NormalisationSchema = z
  .object({
    about: About,
    homoglyphs: z
      .object({
        about: About,
        latinToCyrillic: z.record(z.string(), z.string()),
        cyrillicToLatin: z.record(z.string(), z.string()),
      })
      .strict(),
    leet: z
      .object({
        about: About,
        cyrillic: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
        latin: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
      })
      .strict(),
    digraphs: z.record(z.string(), z.string()),
    fold: z.record(z.string(), z.string()),
    wildcards: z.string(),
    letterSeparators: z.string(),
  })
  .strict();

/** Files of lexicon/ with a fixed role; every other *.json there is a language file. */
const NORMALISATION_FILE = 'normalisation.json';
const CATEGORIES_FILE = 'categories.json';
const DOXXING_FILE = 'doxxing.json';
const LEXICON_DIR = join('processors', 'abuse', 'lexicon');

// ---------------------------------------------------------------------------------------------------
// Compiled form

interface Paradigm {
  ending: RegExp;
}

/** One word pattern: a stem matched exactly, as a prefix, or followed by an ending of a paradigm. */
export interface WordPattern {
  id: number;
  /** Script the stem is written in: a Latin word only matches a Cyrillic stem when the post may be transliterated. */
  script: Script | 'any';
  stem: string;
  match: 'exact' | 'prefix' | 'paradigm';
  paradigm?: Paradigm;
}

export interface Rule {
  /** `lang.id`, the id evidence names. */
  id: string;
  category: string;
  weight: number;
  wordGender?: Gender;
  targetGender?: Gender;
  needsPerson: boolean;
  /** Whether the words have a literal sense (the rule lists homonym words): the author's own cow is a cow. */
  hasLiteralSense: boolean;
  /** How many words from the match a homonym word must be to show a homonym; undefined: anywhere. */
  unlessWithin?: number;
  /** Whether the rule needs one of its `onlyWith` words in the post. */
  hasRequirement: boolean;
  /** Whether the words count only when said of a person (see RuleSchema.ofPerson). */
  ofPerson: boolean;
}

export type PhraseOwner =
  | { kind: 'rule'; rule: Rule }
  | { kind: 'homonym'; rule: Rule }
  | { kind: 'requirement'; rule: Rule }
  | { kind: 'frame'; frame: FrameKind }
  | { kind: 'gender'; gender: Gender; script: Script | 'any' }
  | { kind: 'person' }
  | { kind: 'prop' }
  | { kind: 'agreementNear' }
  | { kind: 'doxxingPersonal' }
  | { kind: 'doxxingCall' }
  | { kind: 'doxxingService' };

export interface PhraseElement {
  /** Alternative word patterns (ids). */
  patterns: number[];
  /** How many words may come between the previous element and this one. */
  maxGapBefore: number;
}

export interface Phrase {
  elements: PhraseElement[];
  owner: PhraseOwner;
}

export interface TrieNode {
  children: Map<string, TrieNode>;
  patterns: WordPattern[];
}

export interface DoxxingDetector {
  id: string;
  regex: RegExp;
  check?: 'iin';
}

export interface Lexicon {
  /** `abuse-rules/<engine>+<hash of the lexicon files>`: a changed lexicon changes it. */
  version: string;
  normaliser: Normaliser;
  threshold: number;
  unmarkedTargetIsWoman: boolean;
  categoryTargetGender: Map<string, Gender | undefined>;
  /** Categories a post's affection ('affection' frames, heart emoji) discounts: friends teasing ('ты дура 😂❤️'). */
  teasing: { categories: Set<string>; marks: string[] };
  trie: TrieNode;
  phrasesByFirstPattern: Map<number, Phrase[]>;
  /** Ids of the word patterns abuse rules use: only these are looked for in masked words. */
  abusePatterns: Set<number>;
  /**
   * Ids of the word patterns that are an insult on their own (one-word rule phrases): spaced-out letters
   * are joined only into these, so a phrase's other words ('не', 'бы') do not swallow the letters.
   */
  insultPatterns: Set<number>;
  /** Russian agreement endings (lower case, as written: ы and и differ here), by the gender they mark. */
  agreementSuffixes: Array<{ suffix: string; gender: Gender }>;
  /**
   * Skeletons of word endings that address someone (Kazakh -ыңдар, -сың; Russian -ешь): a word with one
   * puts a person in its sentence. Written in a language's script, they match Latin words only when the
   * post may be transliterated, like stems.
   */
  addresseeSuffixes: Array<{ skeleton: string; script: Script }>;
  /** The script each language's lexicon is written in, by language code. */
  languageScripts: Map<string, Script>;
  /** Lower-case words that mark a Latin-script post as English, not transliterated Russian or Kazakh. */
  latinMarkers: Set<string>;
  doxxing: { category: string; weight: number; detectors: DoxxingDetector[] };
}

// ---------------------------------------------------------------------------------------------------
// Loading

/**
 * The package root: the first folder above this module with a package.json that also holds
 * processors/abuse/lexicon/. This module runs from processors/abuse/ under vitest and from
 * dist/processors/abuse/ once built; `tsc` does not copy JSON into dist/, so the lexicon is always read
 * from the source folder under the package root.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, LEXICON_DIR))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`abuse lexicon (${LEXICON_DIR}) not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export function defaultLexiconDir(): string {
  return join(packageRoot(), LEXICON_DIR);
}

function readJson<T>(dir: string, file: string, schema: z.ZodType<T>): T {
  const path = join(dir, file);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`abuse lexicon ${path}: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`abuse lexicon ${path}: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Loads and compiles the lexicon in `dir` (default: the package's processors/abuse/lexicon/). */
export function loadLexicon(dir: string = defaultLexiconDir()): Lexicon {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0${readFileSync(join(dir, file), 'utf8')}\0`);

  const normalisation = readJson(dir, NORMALISATION_FILE, NormalisationSchema);
  const normaliser = new Normaliser(normalisation);
  const categories = readJson(dir, CATEGORIES_FILE, CategoriesSchema);
  const doxxing = readJson(dir, DOXXING_FILE, DoxxingSchema);
  const unknownTeased = categories.teasing.categories.find((id) => !(id in categories.categories));
  if (unknownTeased !== undefined) throw new Error(`abuse lexicon ${CATEGORIES_FILE}: teasing names unknown category "${unknownTeased}"`);
  const languages = files
    .filter((f) => f !== NORMALISATION_FILE && f !== CATEGORIES_FILE && f !== DOXXING_FILE)
    .map((f) => ({ file: f, data: readJson(dir, f, LanguageFileSchema) }));

  const builder = new Builder(normaliser);
  const agreementSuffixes: Lexicon['agreementSuffixes'] = [];
  const latinMarkers = new Set<string>();
  const addresseeSuffixes: Lexicon['addresseeSuffixes'] = [];
  for (const { file, data } of languages) {
    builder.addLanguage(file, data, new Set(Object.keys(categories.categories)));
    for (const gender of ['f', 'm'] as const) {
      for (const suffix of data.agreement?.[gender] ?? []) {
        agreementSuffixes.push({ suffix: suffix.toLowerCase(), gender });
      }
    }
    for (const word of data.latinMarkers?.match ?? []) latinMarkers.add(word.toLowerCase());
    for (const suffix of data.addressee?.suffixes ?? []) {
      addresseeSuffixes.push({ skeleton: normaliser.skeleton(suffix.toLowerCase()), script: data.script });
    }
  }
  builder.leaveLanguage();
  builder.addPhrases(doxxing.personal.match, 'any', undefined, { kind: 'doxxingPersonal' }, DOXXING_FILE);
  builder.addPhrases(doxxing.callToAction.match, 'any', undefined, { kind: 'doxxingCall' }, DOXXING_FILE);
  builder.addPhrases(doxxing.services.match, 'any', undefined, { kind: 'doxxingService' }, DOXXING_FILE);

  return {
    version: `abuse-rules/${ENGINE_VERSION}+${hash.digest('hex').slice(0, 8)}`,
    normaliser,
    threshold: categories.threshold.value,
    unmarkedTargetIsWoman: categories.unmarkedTarget.towardWomen,
    categoryTargetGender: new Map(Object.entries(categories.categories).map(([id, c]) => [id, c.targetGender])),
    teasing: { categories: new Set(categories.teasing.categories), marks: categories.teasing.marks },
    trie: builder.trie,
    phrasesByFirstPattern: builder.phrasesByFirstPattern,
    abusePatterns: builder.abusePatterns,
    insultPatterns: builder.insultPatterns,
    agreementSuffixes,
    addresseeSuffixes,
    languageScripts: new Map(languages.map(({ data }) => [data.lang, data.script])),
    latinMarkers,
    doxxing: {
      category: doxxing.category,
      weight: doxxing.weight,
      detectors: doxxing.detectors.map((d) => ({ id: d.id, regex: new RegExp(d.regex, 'giu'), check: d.check })),
    },
  };
}

/** Compiles phrases into the word-pattern trie and the phrase index. */
class Builder {
  readonly trie: TrieNode = { children: new Map(), patterns: [] };
  readonly phrasesByFirstPattern = new Map<number, Phrase[]>();
  private readonly patternsByKey = new Map<string, WordPattern>();
  readonly abusePatterns = new Set<number>();
  readonly insultPatterns = new Set<number>();
  private patternCount = 0;
  private paradigms = new Map<string, Paradigm>();
  private defaultParadigm = '';
  /** Skeleton last letter of a stem → the letter it alternates with before a vowel ending. */
  private alternations = new Map<string, string>();

  constructor(private readonly normaliser: Normaliser) {}

  addLanguage(file: string, data: LanguageFile, categories: Set<string>): void {
    this.paradigms = new Map(Object.entries(data.paradigms).map(([name, p]) => [name, this.compileParadigm(p)]));
    if (!this.paradigms.has(data.defaultParadigm)) {
      throw new Error(`abuse lexicon ${file}: defaultParadigm "${data.defaultParadigm}" is not in paradigms`);
    }
    this.defaultParadigm = data.defaultParadigm;
    this.alternations = new Map(
      Object.entries(data.stemAlternations ?? {})
        .filter(([from]) => from !== 'about')
        .map(([from, to]) => [this.normaliser.skeleton(from), this.normaliser.skeleton(to)]),
    );
    const script = data.script;
    for (const kind of FRAME_KINDS) {
      this.addPhrases(data.frames[kind].match, script, undefined, { kind: 'frame', frame: kind }, file);
    }
    for (const gender of ['f', 'm'] as const) {
      this.addPhrases(data.gender[gender], script, undefined, { kind: 'gender', gender, script }, file);
    }
    this.addPhrases(data.persons.match, script, undefined, { kind: 'person' }, file);
    this.addPhrases(data.props?.match ?? [], script, undefined, { kind: 'prop' }, file);
    this.addPhrases(data.agreement?.near ?? [], script, undefined, { kind: 'agreementNear' }, file);
    for (const spec of data.rules) {
      if (!categories.has(spec.category)) {
        throw new Error(`abuse lexicon ${file}: rule ${spec.id} has unknown category "${spec.category}"`);
      }
      const rule: Rule = {
        id: `${data.lang}.${spec.id}`,
        category: spec.category,
        weight: spec.weight,
        wordGender: spec.wordGender,
        targetGender: spec.targetGender,
        needsPerson: spec.needsPerson ?? false,
        hasLiteralSense: (spec.unless ?? []).length > 0,
        unlessWithin: spec.unlessWithin,
        hasRequirement: (spec.onlyWith ?? []).length > 0,
        ofPerson: spec.ofPerson ?? false,
      };
      this.addPhrases(spec.match, script, rule, { kind: 'rule', rule }, file);
      const expand = (words: string[]) =>
        words.flatMap((u) => {
          if (!u.startsWith('@')) return [u];
          const context = data.contexts?.[u.slice(1)];
          if (!context) throw new Error(`abuse lexicon ${file}: rule ${spec.id} names unknown context "${u}"`);
          return context.match;
        });
      this.addPhrases(expand(spec.unless ?? []), script, undefined, { kind: 'homonym', rule }, file);
      this.addPhrases(expand(spec.onlyWith ?? []), script, undefined, { kind: 'requirement', rule }, file);
    }
  }

  /** Phrases added from now on belong to no language: they have no paradigms to use. */
  leaveLanguage(): void {
    this.paradigms = new Map();
    this.defaultParadigm = '';
    this.alternations = new Map();
  }

  private compileParadigm(spec: z.infer<typeof ParadigmSchema>): Paradigm {
    const fold = (e: string) => this.normaliser.skeleton(e.toLowerCase());
    const slots = spec.slots.map((alternatives) =>
      [...new Set(alternatives.map(fold).filter((e) => e !== ''))].sort((a, b) => b.length - a.length),
    );
    const source = slots.map((alts) => `(?:${alts.join('|')})?`).join('');
    return { ending: new RegExp(`^${spec.endingRequired ? '(?=.)' : ''}${source}$`) };
  }

  addPhrases(phrases: string[], script: Script | 'any', rule: Rule | undefined, owner: PhraseOwner, file: string): void {
    for (const text of phrases) {
      const elements: PhraseElement[] = [];
      let gap = 0;
      for (const part of text.trim().split(/\s+/u)) {
        if (part === '...') {
          gap = 3;
          continue;
        }
        const patterns = part.split('|').map((alternative) => this.pattern(alternative, script, file, text));
        if (rule) for (const p of patterns) this.abusePatterns.add(p.id);
        elements.push({ patterns: patterns.map((p) => p.id), maxGapBefore: gap });
        gap = 0;
      }
      if (elements.length === 0) throw new Error(`abuse lexicon ${file}: empty phrase "${text}"`);
      if (rule && elements.length === 1) for (const p of elements[0]!.patterns) this.insultPatterns.add(p);
      const phrase: Phrase = { elements, owner };
      for (const first of elements[0]!.patterns) {
        const list = this.phrasesByFirstPattern.get(first) ?? [];
        list.push(phrase);
        this.phrasesByFirstPattern.set(first, list);
      }
    }
  }

  /** `stem` exact word, `stem*` any continuation, `stem~` / `stem~paradigm` stem plus an ending. */
  private pattern(spec: string, script: Script | 'any', file: string, phrase: string): WordPattern {
    let match: WordPattern['match'] = 'exact';
    let stemText = spec;
    let paradigm: Paradigm | undefined;
    const tilde = spec.indexOf('~');
    if (tilde >= 0) {
      match = 'paradigm';
      stemText = spec.slice(0, tilde);
      const name = spec.slice(tilde + 1) || this.defaultParadigm;
      paradigm = this.paradigms.get(name);
      if (!paradigm) throw new Error(`abuse lexicon ${file}: unknown paradigm "${name}" in "${phrase}"`);
    } else if (spec.endsWith('*')) {
      match = 'prefix';
      stemText = spec.slice(0, -1);
    }
    const stem = this.normaliser.skeleton(stemText.toLowerCase());
    if (stem === '' || stem.includes('*')) throw new Error(`abuse lexicon ${file}: bad word pattern "${spec}" in "${phrase}"`);
    const key = `${file}\0${script}\0${match}\0${stem}\0${tilde >= 0 ? spec.slice(tilde + 1) || this.defaultParadigm : ''}`;
    const known = this.patternsByKey.get(key);
    if (known) return known;
    const pattern: WordPattern = { id: this.patternCount++, script, stem, match, paradigm };
    this.patternsByKey.set(key, pattern);
    const alternate = match === 'exact' ? undefined : this.alternations.get(stem[stem.length - 1]!);
    this.insert(stem, pattern);
    if (alternate) this.insert(stem.slice(0, -1) + alternate, pattern);
    return pattern;
  }

  private insert(stem: string, pattern: WordPattern): void {
    let node = this.trie;
    for (const ch of stem) {
      let next = node.children.get(ch);
      if (!next) {
        next = { children: new Map(), patterns: [] };
        node.children.set(ch, next);
      }
      node = next;
    }
    node.patterns.push(pattern);
  }
}
