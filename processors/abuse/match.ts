/**
 * Matching mechanics: which word patterns each word of a post matches (through the stem trie, or
 * against spelled-out forms for a masked word), and where the lexicon's phrases occur.
 */
import type { Lexicon, Phrase, TrieNode, WordPattern } from './lexicon.js';
import type { Reading, Script, Token } from './normalise.js';

/** Where a phrase occurs: its first and last word (token indexes). */
export interface Occurrence {
  phrase: Phrase;
  first: number;
  last: number;
}

/** Whether a stem or ending written in `script` may match a word read in `reading.script`. */
export function scriptAllowed(script: Script | 'any', reading: Reading, transliteration: boolean): boolean {
  return script === 'any' || script === reading.script || (transliteration && script === 'cyrillic' && reading.script === 'latin');
}

function endingMatches(pattern: WordPattern, stemEnd: number, skeleton: string): boolean {
  const rest = skeleton.slice(stemEnd);
  if (pattern.match === 'prefix') return true;
  if (pattern.match === 'exact') return rest === '';
  const ending = pattern.paradigm!.ending;
  // Runs of one letter collapse, so a stem ending in the letter its ending starts with ('қаншық'+'қа',
  // 'изнасилу'+'ю') has lost that letter from the ending: try it restored.
  return ending.test(rest) || ending.test(skeleton[stemEnd - 1] + rest);
}

/**
 * The word patterns a word matches in any of its readings. `transliteration`: whether Latin words may
 * be transliterated Russian or Kazakh (so match Cyrillic stems).
 */
export function wordHits(lexicon: Lexicon, readings: Reading[], transliteration: boolean): Set<number> {
  const hits = new Set<number>();
  for (const reading of readings) {
    const { skeleton } = reading;
    let node = lexicon.trie.children.get(skeleton[0]!);
    for (let i = 1; node !== undefined; i++) {
      for (const pattern of node.patterns) {
        if (scriptAllowed(pattern.script, reading, transliteration) && endingMatches(pattern, i, skeleton)) hits.add(pattern.id);
      }
      if (i >= skeleton.length) break;
      node = node.children.get(skeleton[i]!);
    }
    if (skeleton.includes('*') && mostlyVisible(skeleton)) maskedHits(lexicon, reading, transliteration, hits);
  }
  return hits;
}

/** A masked word is read only when at least two letters and no fewer letters than masks are visible ('b****' could be anything). */
function mostlyVisible(skeleton: string): boolean {
  const masks = skeleton.split('*').length - 1;
  const letters = skeleton.length - masks;
  return letters >= 2 && letters >= masks;
}

/**
 * A masked word ('с*ка', 'шл*ха', 'b****'): walks the stem trie letting each run of k mask characters
 * stand for k to 2k skeleton letters (ш folds to 'sh'), and keeps the abuse patterns reached with the
 * fewest extra letters (so 'с*ка' is сука, not самка). A mask in what is left after the stem stands for
 * an ending, so only exact-word patterns are excluded there.
 */
function maskedHits(lexicon: Lexicon, reading: Reading, transliteration: boolean, hits: Set<number>): void {
  const { skeleton } = reading;
  let fewestExtra = Infinity;
  let best: number[] = [];
  const reached = (node: TrieNode, at: number, extra: number) => {
    for (const pattern of node.patterns) {
      if (!lexicon.abusePatterns.has(pattern.id) || !scriptAllowed(pattern.script, reading, transliteration)) continue;
      const rest = skeleton.slice(at);
      if (rest.includes('*') ? pattern.match === 'exact' : !endingMatches(pattern, at, skeleton)) continue;
      if (extra < fewestExtra) [fewestExtra, best] = [extra, []];
      if (extra === fewestExtra) best.push(pattern.id);
    }
  };
  const walk = (node: TrieNode, at: number, extra: number) => {
    if (node !== lexicon.trie) reached(node, at, extra);
    if (at >= skeleton.length) return;
    if (skeleton[at] !== '*') {
      const child = node.children.get(skeleton[at]!);
      if (child) walk(child, at + 1, extra);
      return;
    }
    let run = 0;
    while (skeleton[at + run] === '*') run++;
    const consume = (from: TrieNode, letters: number) => {
      if (letters >= run) walk(from, at + run, extra + letters - run);
      if (letters < 2 * run) for (const child of from.children.values()) consume(child, letters + 1);
    };
    consume(node, 0);
  };
  walk(lexicon.trie, 0, 0);
  for (const id of best) hits.add(id);
}

/** Every occurrence of every phrase; a phrase's words are in one sentence, with the gaps it allows. */
export function findPhrases(lexicon: Lexicon, tokens: Token[], hits: Set<number>[]): Occurrence[] {
  const occurrences: Occurrence[] = [];
  for (let first = 0; first < tokens.length; first++) {
    const tried = new Set<Phrase>();
    for (const pattern of hits[first]!) {
      for (const phrase of lexicon.phrasesByFirstPattern.get(pattern) ?? []) {
        if (tried.has(phrase)) continue;
        tried.add(phrase);
        const last = extend(phrase, 1, first, first, tokens, hits);
        if (last >= 0) occurrences.push({ phrase, first, last });
      }
    }
  }
  return occurrences;
}

function extend(phrase: Phrase, element: number, first: number, previous: number, tokens: Token[], hits: Set<number>[]): number {
  if (element === phrase.elements.length) return previous;
  const { patterns, maxGapBefore } = phrase.elements[element]!;
  const sentence = tokens[first]!.sentence;
  for (let j = previous + 1; j <= previous + 1 + maxGapBefore && j < tokens.length; j++) {
    if (tokens[j]!.sentence !== sentence) break;
    if (patterns.some((p) => hits[j]!.has(p))) {
      const last = extend(phrase, element + 1, first, j, tokens, hits);
      if (last >= 0) return last;
    }
  }
  return -1;
}
