import { classify } from '../../processors/abuse/classify.js';
import { shareTowardWomen } from '../../processors/metrics/abuse.js';
import type { AbuseMetric, AbuseVerdict, CooccurrenceMetric, LateDataMetric, VolumeMetric } from '../../schemas/index.js';
import type { Delivery, PostTruth } from './generated-posts.js';
import { partitionOf } from './pipeline.js';

export type ExpectedDocument = VolumeMetric | CooccurrenceMetric | AbuseMetric | LateDataMetric;

export interface GroundTruth {
  /** Every metric document the stream must end with, by document id. */
  documents: Map<string, ExpectedDocument>;
  counted: number;
  duplicates: number;
  late: number;
  garbage: number;
  /** Copies that arrived after their post's window closed: whether they count as duplicates or late depends on timing, so the generator must make none. */
  ambiguous: number;
}

const MINUTE = 60_000;

/**
 * The metric documents docs/metrics.md defines, computed straight from the messages as they were produced,
 * with the generator's own knowledge of each post (tags, families, language, author), not through the
 * pipeline: per raw partition (the default partitioner's, from the key) in production order, a post id counts
 * once; a post whose window ended at least `allowedLatenessMs` before the newest event time its partition
 * had seen is late, each post's event time taken at most as its collectedAt.
 */
export function groundTruth(deliveries: readonly Delivery[], allowedLatenessMs: number, partitions = 3): GroundTruth {
  const truth: GroundTruth = { documents: new Map(), counted: 0, duplicates: 0, late: 0, garbage: 0, ambiguous: 0 };
  const watermarks = new Map<number, number>();
  const counted = new Set<string>();
  const volumeAuthors = new Map<string, Set<string>>();
  const abuseCells = new Map<string, AbuseCell>();
  for (const delivery of deliveries) {
    const post = delivery.post;
    if (post === undefined) {
      truth.garbage++;
      continue;
    }
    const partition = partitionOf(delivery.key, partitions);
    const eventTime = Date.parse(post.createdAt);
    const windowStart = Math.floor(eventTime / MINUTE) * MINUTE;
    const watermark = watermarks.get(partition);
    const closed = watermark !== undefined && windowStart + MINUTE <= watermark - allowedLatenessMs;
    const believable = Math.min(eventTime, Date.parse(post.collectedAt));
    watermarks.set(partition, Math.max(watermark ?? -Infinity, believable));
    if (counted.has(post.id)) {
      truth.duplicates++;
      if (closed) truth.ambiguous++;
      continue;
    }
    const window = new Date(windowStart).toISOString();
    if (closed) {
      truth.late++;
      truth.documents.set(`late|${post.id}`, {
        schema: 'tagpulse.late/1',
        windowStart: window,
        platform: post.platform,
        tags: post.tags,
        posts: 1,
        updatedAt: post.collectedAt,
      });
      continue;
    }
    counted.add(post.id);
    truth.counted++;
    count(truth, volumeAuthors, abuseCells, post, window);
  }
  for (const [id, authors] of volumeAuthors) (truth.documents.get(id) as VolumeMetric).authors = authors.size;
  for (const [id, cell] of abuseCells) truth.documents.set(id, abuseDocument(cell));
  return truth;
}

/** The verdicts of the posts counted in one abuse cell, tallied once every post is in. */
interface AbuseCell {
  windowStart: string;
  tag: string;
  platform: PostTruth['platform'];
  verdicts: AbuseVerdict[];
}

function abuseDocument({ windowStart, tag, platform, verdicts }: AbuseCell): AbuseMetric {
  const abusive = verdicts.filter((verdict) => verdict.abusive);
  const counts = { posts: verdicts.length, abusiveTowardWomen: abusive.filter((verdict) => verdict.towardWomen).length };
  const categories: Record<string, number> = {};
  for (const category of abusive.flatMap((verdict) => verdict.categories)) categories[category] = (categories[category] ?? 0) + 1;
  // The share is the one formula applied to the counts (pinned by its own unit test); what is checked is the counts.
  return {
    schema: 'tagpulse.abuse/1',
    windowStart,
    tag,
    platform,
    ...counts,
    abusive: abusive.length,
    categories,
    classifierVersion: verdicts[0]!.classifierVersion,
    ...shareTowardWomen(counts),
  };
}

function count(truth: GroundTruth, volumeAuthors: Map<string, Set<string>>, abuseCells: Map<string, AbuseCell>, post: PostTruth, window: string): void {
  const { platform, lang } = post;
  const bump = <D extends ExpectedDocument>(id: string, create: () => D, change: (doc: D) => void) => {
    let doc = truth.documents.get(id) as D | undefined;
    if (doc === undefined) truth.documents.set(id, (doc = create()));
    change(doc);
  };
  for (const tag of [...post.tags, ...post.families.map((family) => `family:${family}`)]) {
    const id = `volume|${window}|${platform}|${lang}|${tag}`;
    bump(id, (): VolumeMetric => ({ schema: 'tagpulse.volume/1', windowStart: window, tag, platform, lang, posts: 0, authors: 0 }), (doc) => doc.posts++);
    let authors = volumeAuthors.get(id);
    if (authors === undefined) volumeAuthors.set(id, (authors = new Set()));
    if (post.author !== undefined) authors.add(post.author);
  }
  if (post.tags.length > 0) {
    const pair = (tagA: string, tagB: string) =>
      bump(
        `cooccurrence|${window}|${platform}|${tagA}|${tagB}`,
        (): CooccurrenceMetric => ({ schema: 'tagpulse.cooccurrence/1', windowStart: window, tagA, tagB, platform, count: 0 }),
        (doc) => doc.count++,
      );
    pair('*', '*');
    const sorted = [...post.tags].sort();
    sorted.forEach((a, i) => sorted.slice(i).forEach((b) => pair(a, b)));
  }
  const verdict = classify(post.text, lang);
  // A comment counts in abuse under its own tags and its thread's (docs/metrics.md#abuse), each once.
  for (const tag of new Set([...post.tags, ...(post.threadTags ?? [])])) {
    const id = `abuse|${window}|${platform}|${verdict.classifierVersion}|${tag}`;
    let cell = abuseCells.get(id);
    if (cell === undefined) abuseCells.set(id, (cell = { windowStart: window, tag, platform, verdicts: [] }));
    cell.verdicts.push(verdict);
  }
}
