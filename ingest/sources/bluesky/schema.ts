import { z } from 'zod';

/**
 * Bluesky (AT Protocol) shapes with the lexicons' own field names: the `app.bsky.feed.post` record, the
 * AppView's `postView` (app.bsky.feed.defs), `app.bsky.feed.searchPosts`, `com.atproto.server.createSession`
 * and `refreshSession`, XRPC errors, and Jetstream's JSON events. Only what Tagpulse reads.
 */

/** Facet offsets count UTF-8 bytes of `text`, not UTF-16 code units (app.bsky.richtext.facet#byteSlice). */
const ByteSlice = z.object({ byteStart: z.number().int().nonnegative(), byteEnd: z.number().int().nonnegative() });

export const TAG_FEATURE = 'app.bsky.richtext.facet#tag';

const FacetFeature = z.looseObject({ $type: z.string(), tag: z.string().optional() });

export const Facet = z.object({ index: ByteSlice, features: z.array(FacetFeature) });
export type Facet = z.infer<typeof Facet>;

const StrongRef = z.object({ uri: z.string().startsWith('at://'), cid: z.string().optional() });

export const PostRecord = z.object({
  text: z.string(),
  createdAt: z.string(),
  langs: z.array(z.string()).optional(),
  facets: z.array(Facet).optional(),
  /** Extra hashtags the author attached without showing them in the text. */
  tags: z.array(z.string()).optional(),
  reply: z.object({ parent: StrongRef, root: StrongRef }).optional(),
});
export type PostRecord = z.infer<typeof PostRecord>;

export const PostView = z.object({
  uri: z.string().startsWith('at://'),
  cid: z.string().min(1),
  author: z.object({ did: z.string().startsWith('did:'), handle: z.string().min(1) }),
  record: PostRecord,
  indexedAt: z.string(),
  likeCount: z.number().int().nonnegative().optional(),
  repostCount: z.number().int().nonnegative().optional(),
  replyCount: z.number().int().nonnegative().optional(),
  quoteCount: z.number().int().nonnegative().optional(),
});
export type PostView = z.infer<typeof PostView>;

export const SearchPostsResponse = z.object({
  /** Each post is validated on its own. */
  posts: z.array(z.unknown()),
  cursor: z.string().optional(),
  hitsTotal: z.number().int().optional(),
});

export const Session = z.object({
  accessJwt: z.string().min(1),
  refreshJwt: z.string().min(1),
  did: z.string(),
  handle: z.string(),
});
export type Session = z.infer<typeof Session>;

/** The body of an XRPC error response, e.g. `{"error":"ExpiredToken","message":"Token has expired"}`. */
export const XrpcError = z.object({ error: z.string(), message: z.string().optional() });

/** Any Jetstream event: every kind carries the repo and the time cursor. */
export const JetstreamEvent = z.looseObject({
  did: z.string(),
  time_us: z.number().int().nonnegative(),
  kind: z.string(),
  commit: z
    .looseObject({ operation: z.string(), collection: z.string(), rkey: z.string(), record: z.unknown().optional() })
    .optional(),
});

/** A Jetstream commit that creates a post. */
export const JetstreamPostCreate = z.object({
  did: z.string().startsWith('did:'),
  time_us: z.number().int().nonnegative(),
  kind: z.literal('commit'),
  commit: z.object({
    operation: z.literal('create'),
    collection: z.literal('app.bsky.feed.post'),
    rkey: z.string().min(1),
    cid: z.string().min(1),
    record: PostRecord,
  }),
});
export type JetstreamPostCreate = z.infer<typeof JetstreamPostCreate>;
