/**
 * Where each hit of a search answer lies in its bytes, found without parsing the answer: so that a large page
 * can be parsed one hit at a time, each hit's objects dying young, instead of as one tree that lives until the
 * whole page is done (an export page's tree outlived the young generation, and collecting it was more than a
 * third of the export's CPU time).
 *
 * The scan reads the bytes of JSON text: quotes, backslashes, braces and brackets are ASCII, and UTF-8 never
 * uses ASCII bytes inside a multi-byte character, so the structure can be followed byte by byte.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const HITS_KEY = Buffer.from('"hits"');

/** The index just after the string that starts with the quote at `start`. */
function afterString(bytes: Uint8Array, start: number): number {
  let quote = start;
  for (;;) {
    quote = bytes.indexOf(QUOTE, quote + 1);
    if (quote < 0) throw new SyntaxError('unterminated string in a search answer');
    let backslashes = 0;
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
  }
}

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** The index of the first byte at or after `from` that is not JSON whitespace. */
function skipSpace(bytes: Uint8Array, from: number): number {
  let i = from;
  while (isSpace(bytes[i])) i++;
  return i;
}

export interface SearchHitRanges {
  /** `[start, end)` of each element of `hits.hits`, in order. */
  hits: Array<[number, number]>;
  /** The answer with `hits.hits` emptied, as JSON text (took, pit_id, totals...). */
  rest: string;
}

/**
 * The byte ranges of the hits (`hits.hits[i]`) of a search answer. Throws a SyntaxError when the bytes are not
 * a search answer's JSON with that array; a hit's own text is checked only when it is parsed.
 */
export function searchHitRanges(answer: Buffer): SearchHitRanges {
  const hits: Array<[number, number]> = [];
  let depth = 0;
  /** Inside the root's `hits` object (depth 2), where its own `hits` key opens the array. */
  let inHitsObject = false;
  let arrayStart = -1;
  let hitStart = -1;
  let i = 0;
  while (i < answer.length) {
    const byte = answer[i]!;
    if (byte === QUOTE) {
      const end = afterString(answer, i);
      const hitsKey = arrayStart < 0 && (depth === 1 || (depth === 2 && inHitsObject)) && answer.subarray(i, end).equals(HITS_KEY);
      if (hitsKey) {
        const colon = skipSpace(answer, end);
        const open = skipSpace(answer, colon + 1);
        const opens = answer[colon] === COLON ? answer[open] : undefined;
        if ((depth === 1 && opens === OPEN_OBJECT) || (depth === 2 && opens === OPEN_ARRAY)) {
          if (depth === 1) inHitsObject = true;
          else arrayStart = open;
          depth++;
          i = open + 1;
          continue;
        }
      }
      i = end;
      continue;
    }
    if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (arrayStart >= 0 && depth === 3) hitStart = i;
      depth++;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth--;
      if (arrayStart >= 0 && depth === 3 && hitStart >= 0) {
        hits.push([hitStart, i + 1]);
        hitStart = -1;
      } else if (arrayStart >= 0 && depth === 2) {
        const rest = `${answer.toString('utf8', 0, arrayStart + 1)}${answer.toString('utf8', i)}`;
        return { hits, rest };
      } else if (depth === 1) {
        inHitsObject = false;
      }
    }
    i++;
  }
  throw new SyntaxError('a search answer without a complete hits.hits array');
}
