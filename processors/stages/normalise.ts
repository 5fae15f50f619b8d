import { z } from 'zod';
import type { topicNames } from '../../infra/kafka/topics.js';
import { Instant, postKey, RawEnvelope, type AbuseVerdict, type NormalisedPost } from '../../schemas/index.js';
import { canonicalTags } from '../normalise/canonical.js';
import type { TagFamilies } from '../normalise/families.js';
import { extractHashtags, mergeTags } from '../normalise/hashtags.js';
import { detectLanguage } from '../normalise/language.js';
import type { Pseudonymiser } from '../normalise/pseudonymise.js';
import type { Emit, InputRecord, StreamProcessor } from '../runtime/processor.js';
import { WindowedStore } from '../runtime/state-store.js';
import { Watermarks, windowStartOf } from '../windows.js';
import { readOrDeadLetter } from './dead-letters.js';

export interface NormaliseDependencies {
  pseudonymiser: Pseudonymiser;
  families: TagFamilies;
  classify: (text: string, lang?: string) => AbuseVerdict;
}

/** What the first copy of a post fixed, and every source that delivered it since. */
const FirstCopy = z.object({ createdAt: Instant, collectedAt: Instant, sources: z.array(z.string()) });
type FirstCopy = z.infer<typeof FirstCopy>;

/** The event-time window a post belongs to, fixed by its first copy. */
const windowOfPost = (first: FirstCopy) => windowStartOf(Date.parse(first.createdAt));

/**
 * One raw envelope as a normalised post. The first copy of the post fixes its event time (`createdAt`) and
 * `collectedAt`; every copy brings its text, tags and engagement, and adds its source. `platformId` is the
 * envelope's with its account pseudonymised (Pseudonymiser.platformId), as the stage keys the post by it.
 * Author ids, handles and @mentions are pseudonymised before anything else sees them; the classifier reads
 * the pseudonymised text, so its evidence spans never carry a clear handle into the index.
 */
function normalisePost(envelope: RawEnvelope, platformId: string, first: FirstCopy, deps: NormaliseDependencies): NormalisedPost {
  const { item, platform } = envelope;
  const { pseudonymiser } = deps;
  const postIdOf = (id: string) => postKey(platform, pseudonymiser.platformId(platform, id));
  const tagsAsWritten = mergeTags(extractHashtags(item.text), item.tags);
  const tags = canonicalTags(tagsAsWritten);
  const threadTags = threadTagsOf(envelope, tags);
  const lang = detectLanguage(item.text, item.platformLang);
  const text = pseudonymiser.pseudonymiseMentions(item.text, platform);
  return {
    schema: 'tagpulse.post/1',
    id: postKey(platform, platformId),
    platform,
    platformId,
    sources: first.sources,
    createdAt: first.createdAt,
    collectedAt: first.collectedAt,
    text,
    lang,
    tags,
    tagsAsWritten,
    families: deps.families.familiesOfAll(tags),
    author: pseudonymiser.author(platform, item.author),
    url: pseudonymiser.link(platform, item.url),
    replyTo: item.replyTo && postIdOf(item.replyTo.platformId),
    threadId: item.threadId && postIdOf(item.threadId),
    ...(threadTags.length > 0 ? { threadTags } : {}),
    engagement: item.engagement,
    abuse: deps.classify(text, lang),
  };
}

/**
 * The keys a comment or reply counts under for abuse because of the thread it answers: a collector that follows
 * a matched post's thread (VK comments, YouTube comment threads, X conversations) puts the tag that found the
 * post in each reply's `query`. Canonicalised like the post's own tags (so a family alias in the query is its
 * key, which the API's family sums include), without the keys the reply carries itself. Only for a reply (it
 * answers something, or belongs to another item's thread): the query of a post found by its own tag is one of
 * its own tags. Families are not added: the abuse metric has no family cells, and `families` stays the post's
 * own, as the family volumes count posts carrying a key of the family.
 */
function threadTagsOf(envelope: RawEnvelope, tags: readonly string[]): string[] {
  const { item, query } = envelope;
  const reply = item.replyTo !== undefined || (item.threadId !== undefined && item.threadId !== envelope.platformId);
  if (!reply || query === undefined) return [];
  return canonicalTags([query]).filter((key) => !tags.includes(key));
}

export interface NormaliseStageOptions {
  topics: ReturnType<typeof topicNames>;
  /** Partitions of the raw topic: every one must have a watermark before registry entries are evicted. */
  partitions: number;
  allowedLatenessMs: number;
  dependencies: NormaliseDependencies;
}

const STAGE = 'normalise';

/**
 * Raw envelopes → normalised posts (keyed by post id) and dead letters.
 *
 * Every valid copy of a post is published, so the compacted normalised topic and the posts index hold its
 * latest text and engagement; the metrics stage counts a post id once whatever number of copies arrive.
 * State (in the changelog): `normalise.post` post id → its first copy's times and its sources, kept while the
 * post's window can still change (see Watermarks), and `normalise.watermark`.
 */
export class NormaliseProcessor implements StreamProcessor {
  readonly stores;
  readonly #posts = new WindowedStore<FirstCopy>(`${STAGE}.post`, {
    save: (copy) => copy,
    load: (saved) => FirstCopy.parse(saved),
    loadPerKeyRecord: (text) => {
      const copy = FirstCopy.parse(JSON.parse(text));
      return { value: copy, window: windowOfPost(copy) };
    },
  });
  readonly #watermarks: Watermarks;
  #counts = { messages: 0, posts: 0, repeatedCopies: 0, deadLetters: 0 };

  constructor(private readonly options: NormaliseStageOptions) {
    this.#watermarks = new Watermarks(STAGE, options.partitions, options.allowedLatenessMs);
    this.stores = [this.#posts, this.#watermarks.store];
  }

  process(record: InputRecord, emit: Emit): void {
    this.#counts.messages++;
    const envelope = readOrDeadLetter(record, RawEnvelope, STAGE, this.options.topics.deadLetter, emit);
    if (envelope === undefined) {
      this.#counts.deadLetters++;
      return;
    }
    // The id as stored, with the account a platform id names pseudonymised: the registry holds no clear id either.
    const platformId = this.options.dependencies.pseudonymiser.platformId(envelope.platform, envelope.platformId);
    const id = postKey(envelope.platform, platformId);
    const known = this.#posts.get(id);
    const first: FirstCopy = known ?? {
      createdAt: new Date(envelope.item.createdAt).toISOString(),
      collectedAt: new Date(envelope.collectedAt).toISOString(),
      sources: [],
    };
    if (!first.sources.includes(envelope.source)) {
      this.#posts.put(id, { ...first, sources: [...first.sources, envelope.source].sort() }, windowOfPost(first));
    }
    if (known) this.#counts.repeatedCopies++;
    this.#watermarks.observe(record.partition, Date.parse(first.createdAt), Date.parse(first.collectedAt));
    const post = normalisePost(envelope, platformId, this.#posts.get(id)!, this.options.dependencies);
    emit({ topic: this.options.topics.normalised, key: id, value: JSON.stringify(post) });
    this.#counts.posts++;
  }

  endBatch(): void {
    this.#evictClosedWindows();
  }

  afterRestore(): void {
    this.#evictClosedWindows();
  }

  /** Evicts the first copies of posts whose windows closed in every partition. */
  #evictClosedWindows(): void {
    this.#posts.evictWindowsEndingBy(this.#watermarks.horizon());
  }

  takeCounts(): Record<string, number> {
    const counts = this.#counts;
    this.#counts = { messages: 0, posts: 0, repeatedCopies: 0, deadLetters: 0 };
    return counts;
  }
}
