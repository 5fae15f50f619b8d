/**
 * Hashtags written in plain text, for platforms that do not list them as entities (VK, YouTube titles and
 * descriptions, Instagram captions). A tag is `#` (or the full-width `＃`) followed by letters, digits, marks
 * or `_` of any script (Kazakh and Russian tags are Cyrillic), not preceded by a word character, so a URL's
 * `page#anchor` or an HTML entity `&#1234;` is not one; VK's community suffix (`#tag@club`) ends the tag.
 */
const HASHTAG = /(?<![\p{L}\p{N}\p{M}_&/])[#＃]([\p{L}\p{N}\p{M}_]+)/gu;

/** The hashtags of a text, without `#`, in order of appearance, each spelling once. */
export function textHashtags(text: string): string[] {
  return [...new Set([...text.matchAll(HASHTAG)].map((match) => match[1]!))];
}

/** The collected tags (lowercased, as `normaliseTags` gives them) that these hashtags carry, in the order of `tracked`. */
export function trackedAmong(hashtags: readonly string[], tracked: readonly string[]): string[] {
  const own = new Set(hashtags.map((tag) => tag.toLowerCase()));
  return tracked.filter((tag) => own.has(tag));
}
