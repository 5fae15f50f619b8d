import type { ItemParts } from '../../framework/source.js';
import { TAG_FEATURE, type Facet, type PostRecord } from './schema.js';

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The text a facet covers. Facet offsets count UTF-8 bytes (Bluesky's rich text is defined on bytes), so the
 * text is sliced as bytes: slicing the JS string would shift every facet after a Cyrillic letter or an emoji.
 * Undefined for a range outside the text or one that cuts a character in half.
 */
export function facetText(text: string, index: Facet['index']): string | undefined {
  const bytes = utf8.encode(text);
  if (index.byteStart > index.byteEnd || index.byteEnd > bytes.length) return undefined;
  try {
    return utf8Decoder.decode(bytes.subarray(index.byteStart, index.byteEnd));
  } catch {
    return undefined;
  }
}

/**
 * Every hashtag of a post, without `#`: the tag facets' `tag` values, the text those facets cover (what the
 * reader saw, which a client may have encoded differently in `tag`), and the record's hidden `tags`.
 */
export function postHashtags(record: PostRecord): string[] {
  const tags = new Set<string>(record.tags ?? []);
  for (const facet of record.facets ?? []) {
    for (const feature of facet.features) {
      if (feature.$type !== TAG_FEATURE) continue;
      if (feature.tag) tags.add(feature.tag);
      const shown = facetText(record.text, facet.index)?.replace(/^[#＃]/, '');
      if (shown) tags.add(shown);
    }
  }
  return [...tags];
}

/** The collected tags a post carries (lowercased), in the order of `tracked`. */
export function matchingTags(record: PostRecord, tracked: readonly string[]): string[] {
  const own = new Set(postHashtags(record).map((tag) => tag.toLowerCase()));
  return tracked.filter((tag) => own.has(tag));
}

/** `at://did/app.bsky.feed.post/rkey` → the post's web address. */
export function postUrl(uri: string, handleOrDid: string): string | undefined {
  const rkey = /^at:\/\/[^/]+\/app\.bsky\.feed\.post\/([^/]+)$/.exec(uri)?.[1];
  return rkey ? `https://bsky.app/profile/${handleOrDid}/post/${rkey}` : undefined;
}

/** The envelope parts of a post, shared by search results and the firehose (both key by the post's at-uri). */
export function postParts(
  uri: string,
  record: PostRecord,
  author: { did: string; handle?: string },
  query: string | undefined,
  engagement?: ItemParts['item']['engagement'],
): ItemParts {
  return {
    platformId: uri,
    query,
    item: {
      text: record.text,
      createdAt: record.createdAt,
      author: { id: author.did, handle: author.handle },
      tags: postHashtags(record),
      url: postUrl(uri, author.handle ?? author.did),
      platformLang: record.langs?.[0],
      replyTo: record.reply ? { platformId: record.reply.parent.uri } : undefined,
      threadId: record.reply?.root.uri ?? uri,
      engagement,
    },
  };
}
