import { PSEUDONYM_PREFIX } from '../../processors/normalise/pseudonymise.js';
import type { NormalisedPost, PostRow } from '../../schemas/index.js';
import { fieldColumns } from '../csv.js';
import type { AuthorVisibility } from './context.js';

// How a stored post becomes a row. Kept apart from the queries (and from zod) because the export's page worker
// loads it on its own: it is all that worker needs besides the CSV writer.

/**
 * What a row is made of. Searches take the whole `_source`: naming fields makes the engine parse every document
 * to filter it, which measured four times the fetch cost of returning the stored bytes as they are (300,000
 * posts, OpenSearch 2.19); the `evidence` spans it brings along are simply not put in rows.
 */
export type StoredPost = Pick<NormalisedPost, 'id' | 'platform' | 'createdAt' | 'lang' | 'text' | 'tags' | 'tagsAsWritten' | 'families' | 'url' | 'author' | 'replyTo' | 'threadId' | 'engagement'> & {
  abuse?: Partial<NonNullable<NormalisedPost['abuse']>>;
};

function visibleAuthor(value: string | undefined, authors: AuthorVisibility): string | null {
  if (value === undefined) return null;
  // A deployment that opted out of pseudonymisation stores clear ids: those are for admin keys only.
  return authors === 'all' || value.startsWith(PSEUDONYM_PREFIX) ? value : null;
}

export function postRow(post: StoredPost, authors: AuthorVisibility): PostRow {
  return {
    id: post.id,
    platform: post.platform,
    created_at: post.createdAt,
    lang: post.lang,
    text: post.text,
    tags: post.tags,
    tags_as_written: post.tagsAsWritten,
    families: post.families,
    url: post.url ?? null,
    author_id: visibleAuthor(post.author?.id, authors),
    author_handle: visibleAuthor(post.author?.handle, authors),
    reply_to: post.replyTo ?? null,
    thread_id: post.threadId ?? null,
    abusive: post.abuse?.abusive ?? null,
    toward_women: post.abuse?.towardWomen ?? null,
    abuse_categories: post.abuse?.categories ?? [],
    classifier_version: post.abuse?.classifierVersion ?? null,
    likes: post.engagement?.likes ?? null,
    shares: post.engagement?.shares ?? null,
    replies: post.engagement?.replies ?? null,
    views: post.engagement?.views ?? null,
  };
}


export const postColumns = fieldColumns<PostRow>([
  'id', 'platform', 'created_at', 'lang', 'text', 'tags', 'tags_as_written', 'families', 'url', 'author_id', 'author_handle',
  'reply_to', 'thread_id', 'abusive', 'toward_women', 'abuse_categories', 'classifier_version', 'likes', 'shares', 'replies', 'views',
]);
