/**
 * Text normaliser: splits a post into words with their spans in the original text, marks which words
 * are inside quotation marks and which sentence and clause each is in, and reads every word as one or
 * more "skeletons" (see lexicon/normalisation.json) that lexicon stems are matched against.
 */

/** The tables of lexicon/normalisation.json. */
export interface NormalisationTables {
  homoglyphs: { latinToCyrillic: Record<string, string>; cyrillicToLatin: Record<string, string> };
  leet: { cyrillic: Record<string, string | string[]>; latin: Record<string, string | string[]> };
  digraphs: Record<string, string>;
  fold: Record<string, string>;
  wildcards: string;
  letterSeparators: string;
}

export type Script = 'cyrillic' | 'latin';

/** One way of reading a word: its skeleton ('*' marks a masked letter) and the script it was read in. */
export interface Reading {
  skeleton: string;
  script: Script;
}

/** A word of a post. `start`/`end` index the original text. */
export interface Token {
  start: number;
  end: number;
  /** The word as written (original case). */
  raw: string;
  quoted: boolean;
  sentence: number;
  clause: number;
  /** What stands between this word and the next, trimmed: a leading '?' marks a question. */
  punctuationAfter: string;
}

/** The skeleton alphabet: a folded word only has these letters and '*' (a masked letter). */
const MASK = '*';

function isCyrillic(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return code >= 0x0400 && code <= 0x04ff;
}

function isLatin(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0xc0 && code <= 0x24f);
}

// A word: letters, combining marks, digits and the symbols people write for letters or to mask them;
// '!' only between letters ('b!tch'), so an exclamation mark after a word is not part of it.
const WORD = /[\p{L}\p{M}\p{N}@$*_%]+(?:!+[\p{L}\p{M}\p{N}@$*_%]+)*/gu;
const URL = /\bhttps?:\/\/\S+|\bwww\.\S+/gu;
const SENTENCE_END = /[.!?…;\n]/u;
const CLAUSE_END = /[,:—–()\[\]]|\s-\s/u;

export class Normaliser {
  private readonly wildcards: Set<string>;
  private readonly separators: Set<string>;
  private readonly fold: Map<string, string>;
  private readonly digraphs: Map<string, string>;
  /** First letters of digraphs: only after these is the next letter looked at. */
  private readonly digraphStarts: Set<string>;
  private readonly leetSymbols: Set<string>;

  constructor(private readonly tables: NormalisationTables) {
    this.wildcards = new Set(tables.wildcards);
    this.separators = new Set(tables.letterSeparators);
    this.fold = new Map(Object.entries(tables.fold));
    for (const mask of tables.wildcards) this.fold.set(mask, MASK);
    this.digraphs = new Map(Object.entries(tables.digraphs).filter(([pair]) => pair.length === 2));
    this.digraphStarts = new Set([...this.digraphs.keys()].map((pair) => pair[0]!));
    this.leetSymbols = new Set([...Object.keys(tables.leet.cyrillic), ...Object.keys(tables.leet.latin)]);
  }

  /** Folds lower-case text to its skeleton: digraphs first, then letter by letter; runs of one letter collapse. */
  skeleton(lower: string): string {
    let out = '';
    let last = '';
    for (let i = 0; i < lower.length; i++) {
      const ch = lower[i]!;
      let piece: string | undefined;
      if (this.digraphStarts.has(ch) && i + 1 < lower.length) piece = this.digraphs.get(ch + lower[i + 1]);
      if (piece !== undefined) i++;
      else piece = this.fold.get(ch);
      if (piece === undefined) continue;
      for (let j = 0; j < piece.length; j++) {
        const c = piece[j]!;
        if (c !== last || c === MASK) out += c;
        last = c;
      }
    }
    return out;
  }

  /**
   * Every reading of a word: as written, with look-alike letters of the other script swapped in (for a
   * word that mixes scripts, or an all-Latin word of look-alikes when `visualCyrillic`), each with its
   * leet symbols read as letters. Empty for a word without letters (a number).
   */
  readings(word: string, visualCyrillic: boolean): Reading[] {
    const { latinToCyrillic, cyrillicToLatin } = this.tables.homoglyphs;
    let cyrillic = 0;
    let latin = 0;
    let leet = false;
    let allLookAlike = true;
    for (const ch of word) {
      if (isCyrillic(ch)) cyrillic++;
      else if (isLatin(ch)) {
        latin++;
        if (!(ch in latinToCyrillic)) allLookAlike = false;
      } else if (this.leetSymbols.has(ch)) leet = true;
    }
    if (cyrillic === 0 && latin === 0) return [];
    const plain = cyrillic >= latin ? 'cyrillic' : 'latin';
    if (!leet && (cyrillic === 0 || latin === 0) && !(latin > 0 && visualCyrillic && allLookAlike)) {
      return [{ skeleton: this.skeleton(word.toLowerCase()), script: plain }];
    }
    const spellings = [word];
    if (cyrillic > 0 && latin > 0) {
      spellings.push(swap(word, latinToCyrillic, isLatin), swap(word, cyrillicToLatin, isCyrillic));
    } else if (latin > 0 && visualCyrillic && allLookAlike) {
      spellings.push(swap(word, latinToCyrillic, isLatin));
    }
    const readings: Reading[] = [];
    for (const spelling of spellings) {
      const script = scriptOf(spelling);
      const table = script === 'cyrillic' ? this.tables.leet.cyrillic : this.tables.leet.latin;
      for (const unleeted of leet ? expandLeet(spelling, table) : [spelling]) {
        const skeleton = this.skeleton(unleeted.toLowerCase());
        if (skeleton.replaceAll(MASK, '') === '' || readings.some((r) => r.skeleton === skeleton && r.script === script)) continue;
        readings.push({ skeleton, script });
      }
    }
    return readings;
  }

  /** Splits a post into words (mentions and links left out) with quote, sentence and clause marks. */
  tokenise(text: string): Token[] {
    const quoted = quotedRanges(text);
    const skipped = [...text.matchAll(URL)].map((m) => [m.index, m.index + m[0].length] as const);
    const tokens: Token[] = [];
    let sentence = 0;
    let clause = 0;
    let previousEnd = 0;
    for (const match of text.matchAll(WORD)) {
      let start = match.index;
      let end = start + match[0].length;
      if (text[start - 1] === '@' || (skipped.length > 0 && skipped.some(([s, e]) => start >= s && start < e))) continue;
      if (match[0].startsWith('@')) continue; // a mention: a user name says nothing about the text
      // Markdown emphasis (*word*, _word_) is not masking: trim wildcards on both ends, keep a trailing
      // mask alone ('b****' masks letters).
      while (start < end && this.wildcards.has(text[start]!)) start++;
      if (start > match.index) while (end > start && this.wildcards.has(text[end - 1]!)) end--;
      if (start === end) continue;
      const between = text.slice(previousEnd, start);
      if (tokens.length > 0) {
        tokens[tokens.length - 1]!.punctuationAfter = between.trim();
        if (SENTENCE_END.test(between)) {
          sentence++;
          clause++;
        } else if (CLAUSE_END.test(between)) clause++;
      }
      tokens.push({
        start,
        end,
        raw: text.slice(start, end),
        quoted: quoted.length > 0 && quoted.some(([s, e]) => start >= s && start < e),
        sentence,
        clause,
        punctuationAfter: '',
      });
      previousEnd = end;
    }
    if (tokens.length > 0) tokens[tokens.length - 1]!.punctuationAfter = text.slice(previousEnd).trim();
    return tokens;
  }

  /**
   * Runs of three or more one-letter words separated only by letter separators ('с у к а', 'ш-л-ю-х-а'),
   * as [first, last] token indexes: candidates for being one spaced-out word.
   */
  spacedLetterRuns(tokens: Token[], text: string): Array<[number, number]> {
    const runs: Array<[number, number]> = [];
    let first = -1;
    for (let i = 0; i <= tokens.length; i++) {
      const token = tokens[i];
      const single = token !== undefined && [...token.raw].length === 1;
      const joined =
        single && first >= 0 && [...text.slice(tokens[i - 1]!.end, token.start)].every((ch) => this.separators.has(ch));
      if (single && (first < 0 || joined)) {
        if (first < 0) first = i;
        continue;
      }
      if (first >= 0 && i - 1 - first >= 2) runs.push([first, i - 1]);
      first = single ? i : -1;
    }
    return runs;
  }
}

function swap(word: string, table: Record<string, string>, from: (ch: string) => boolean): string {
  let out = '';
  for (const ch of word) out += from(ch) ? (table[ch] ?? ch) : ch;
  return out;
}

function scriptOf(word: string): Script {
  let cyrillic = 0;
  let latin = 0;
  for (const ch of word) {
    if (isCyrillic(ch)) cyrillic++;
    else if (isLatin(ch)) latin++;
  }
  return cyrillic >= latin ? 'cyrillic' : 'latin';
}

/** Every spelling with leet symbols read as letters; a symbol with several readings multiplies them (at most 4). */
function expandLeet(word: string, table: Record<string, string | string[]>): string[] {
  let spellings = [''];
  for (const ch of word) {
    const letters = table[ch];
    if (letters === undefined) {
      spellings = spellings.map((s) => s + ch);
    } else {
      const options = Array.isArray(letters) ? letters : [letters];
      spellings = spellings.flatMap((s) => options.map((o) => s + o)).slice(0, 4);
    }
  }
  return spellings;
}

const LETTER = /[\p{L}\p{N}]/u;
/** Quotation marks that also serve as apostrophes: they open only before a word and close only after one. */
const SINGLE_QUOTES = new Map([["'", "'"], ['‘', '’']]);
const DOUBLE_QUOTES = new Map([['«', '»'], ['„', '“'], ['“', '”'], ['"', '"']]);

/**
 * [start, end) ranges of the text inside quotation marks: «», „“, “”, straight double quotes, and single
 * quotes ('slut', ‘hag’) where they stand at a word's edge — so the apostrophes of "she's" and
 * "husband's" open and close nothing.
 */
function quotedRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const expected: string[] = [];
  let openedAt = 0;
  const isLetter = (i: number) => i >= 0 && i < text.length && LETTER.test(text[i]!);
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const single = ch === "'" || ch === '’' || ch === '‘';
    if (expected.length > 0 && ch === expected[expected.length - 1] && !(single && isLetter(i + 1))) {
      expected.pop();
      if (expected.length === 0) ranges.push([openedAt, i]);
      continue;
    }
    const opens = DOUBLE_QUOTES.get(ch) ?? (!isLetter(i - 1) && isLetter(i + 1) ? SINGLE_QUOTES.get(ch) : undefined);
    if (opens === undefined) continue;
    if (expected.length === 0) openedAt = i + 1;
    expected.push(opens);
  }
  if (expected.length > 0) ranges.push([openedAt, text.length]);
  return ranges;
}
