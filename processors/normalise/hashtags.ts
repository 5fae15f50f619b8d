/** Hashtags as written: found in post text, merged with the tags a platform lists itself. */

/** Zero-width and soft-hyphen characters: invisible, so never part of what a tag is. */
const INVISIBLE = '\\u00AD\\u200B-\\u200D\\u2060\\uFEFF';
const TAG_CHAR = `[\\p{L}\\p{M}\\p{N}\\p{Pc}${INVISIBLE}]`;
/** A middle dot joins letters (Catalan l·l, some Mastodon tags) but never ends a tag. */
const TAG_BODY = `${TAG_CHAR}+(?:\\u00B7${TAG_CHAR}+)*`;
const HASH = '[#\\uFF03\\uFE5F]';

/**
 * URLs are matched first and skipped, so a fragment (https://x.kz/page#anchor, .../?q=#x) is never a tag.
 * A hash must not follow a letter, digit, '&' (an HTML entity) or '/', so abc#def is not a tag; tags written
 * back to back (#metoo#менояндым) are one match, split afterwards.
 */
const URL_OR_TAGS = new RegExp(
  `(?:https?://|www\\.)\\S+|(?<![\\p{L}\\p{M}\\p{N}\\p{Pc}&/])((?:${HASH}${TAG_BODY})+)`,
  'giu',
);
const HASH_ANYWHERE = new RegExp(HASH, 'u');
const HASH_SPLIT = new RegExp(HASH, 'gu');
const INVISIBLES = new RegExp(`[${INVISIBLE}]`, 'gu');
const LEADING_HASHES = new RegExp(`^\\s*${HASH}*`, 'u');
/** '#1' and '#2024' are numbers, not tags. */
const HAS_LETTER = /\p{L}/u;

/** A tag as it will be displayed: without '#' and invisible characters, NFC-normalised; undefined if no letter. */
export function cleanTag(tag: string): string | undefined {
  const cleaned = tag.replace(LEADING_HASHES, '').replace(INVISIBLES, '').trim().normalize('NFC');
  return HAS_LETTER.test(cleaned) ? cleaned : undefined;
}

/** Hashtags in a text, as written (without '#'), deduplicated in order of first appearance. */
export function extractHashtags(text: string): string[] {
  if (!HASH_ANYWHERE.test(text)) return [];
  const tags = new Set<string>();
  for (const match of text.matchAll(URL_OR_TAGS)) {
    const chain = match[1];
    if (chain === undefined) continue;
    for (const written of chain.split(HASH_SPLIT)) {
      const tag = cleanTag(written);
      if (tag !== undefined) tags.add(tag);
    }
  }
  return [...tags];
}

/**
 * Tags found in the text plus the platform's own tag entities (RawItem.tags), as written. Case-insensitive
 * duplicates are dropped, keeping the text's spelling: Mastodon lists #MeToo as "metoo".
 */
export function mergeTags(textTags: readonly string[], platformTags: readonly string[]): string[] {
  const seen = new Set<string>();
  const merged: string[] = [];
  for (const candidate of [...textTags, ...platformTags]) {
    const tag = cleanTag(candidate);
    if (tag === undefined) continue;
    const folded = tag.toLowerCase();
    if (seen.has(folded)) continue;
    seen.add(folded);
    merged.push(tag);
  }
  return merged;
}
