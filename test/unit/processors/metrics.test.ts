import { describe, expect, it } from 'vitest';
import { topicNames } from '../../../infra/kafka/topics.js';
import type { AbuseVerdict, NormalisedPost } from '../../../schemas/index.js';
import { association } from '../../../api/measures.js';
import { shareTowardWomen } from '../../../processors/metrics/abuse.js';
import { ALL_TAGGED_POSTS } from '../../../processors/metrics/cooccurrence.js';
import { MetricsProcessor } from '../../../processors/stages/metrics.js';
import { windowedMetrics } from '../../../processors/topology.js';
import { TagpulseConfig } from '../../../schemas/index.js';
import { latestDocuments, normalisedPost, record, restoreInto, runBatch, type BatchResult } from '../../support/processors.js';

const topics = topicNames('t');
const MINUTE = 60_000;

function metricsProcessor(partitions = 1, allowedLatenessMs = 10 * MINUTE) {
  return new MetricsProcessor({ topics, metricPartitions: () => 3, partitions, allowedLatenessMs, metrics: windowedMetrics(TagpulseConfig.parse({}).processing) });
}

let offset = 0;
const input = (post: NormalisedPost | string, partition = 0) => record(topics.normalised, partition, offset++, post);
const at = (minute: number, second = 0) => new Date(Date.UTC(2026, 2, 8, 10, minute, second)).toISOString();
const windowOf = (minute: number) => at(minute);

function verdict(fields: Partial<AbuseVerdict>): AbuseVerdict {
  return { abusive: false, towardWomen: false, categories: [], score: 0, evidence: [], classifierVersion: 'v1', ...fields };
}

describe('the metrics stage', () => {
  it('counts posts per tag × platform × language × minute with distinct authors, and per family', () => {
    const processor = metricsProcessor();
    const { outputs } = runBatch(processor, [
      input(normalisedPost('mastodon:1', { tags: ['menoiandim'], families: ['menoiandym'], author: { id: 'a' }, createdAt: at(0, 5) })),
      input(normalisedPost('mastodon:2', { tags: ['menoiandim', 'metoo'], families: ['menoiandym', 'metoo'], author: { id: 'a' }, createdAt: at(0, 50) })),
      input(normalisedPost('mastodon:3', { tags: ['menoiandim'], families: ['menoiandym'], author: { handle: 'h' }, createdAt: at(0, 59) })),
      input(normalisedPost('mastodon:4', { tags: ['menoiandim'], lang: 'ru', author: {}, createdAt: at(0, 1) })),
      input(normalisedPost('vk:5', { platform: 'vk', tags: ['menoiandim'], createdAt: at(1) })),
    ]);
    const volume = latestDocuments(outputs, topics.volume);
    expect(volume.get(`volume|${windowOf(0)}|mastodon|kk|menoiandim`)).toEqual({
      schema: 'tagpulse.volume/1',
      windowStart: windowOf(0),
      tag: 'menoiandim',
      platform: 'mastodon',
      lang: 'kk',
      posts: 3,
      authors: 2,
    });
    expect(volume.get(`volume|${windowOf(0)}|mastodon|kk|family:menoiandym`)).toMatchObject({ posts: 3, authors: 2 });
    expect(volume.get(`volume|${windowOf(0)}|mastodon|ru|menoiandim`)).toMatchObject({ posts: 1, authors: 0 });
    expect(volume.get(`volume|${windowOf(1)}|vk|kk|menoiandim`)).toMatchObject({ posts: 1, authors: 1 });
    expect(volume.get(`volume|${windowOf(0)}|mastodon|kk|metoo`)).toMatchObject({ posts: 1 });
    expect(volume.size).toBe(6);
  });

  it('counts a family once per post when the post carries several of its keys', () => {
    const processor = metricsProcessor();
    const { outputs } = runBatch(processor, [
      input(normalisedPost('mastodon:1', { tags: ['metoo', 'ianeboiusskazat'], families: ['metoo'] })),
    ]);
    const volume = latestDocuments(outputs, topics.volume);
    expect(volume.get(`volume|${windowOf(0)}|mastodon|kk|family:metoo`)).toMatchObject({ posts: 1 });
  });

  it('counts a post id once, whichever copy comes again', () => {
    const processor = metricsProcessor();
    const post = normalisedPost('mastodon:1', { tags: ['seruen'] });
    const first = runBatch(processor, [input(post), input({ ...post, sources: ['other', 'test'] })]);
    const second = runBatch(processor, [input({ ...post, tags: ['seruen', 'metoo'] })]);
    expect(latestDocuments(first.outputs, topics.volume).get(`volume|${windowOf(0)}|mastodon|kk|seruen`)).toMatchObject({ posts: 1 });
    expect(second.outputs).toEqual([]);
    expect(processor.takeCounts()).toMatchObject({ posts: 3, counted: 1, duplicates: 2 });
  });

  it('updates a window for a post late within the allowed lateness; beyond it, writes a late record instead', () => {
    const processor = metricsProcessor(1, 10 * MINUTE);
    runBatch(processor, [input(normalisedPost('mastodon:1', { tags: ['seruen'], createdAt: at(0) }))]);
    runBatch(processor, [input(normalisedPost('mastodon:2', { tags: ['seruen'], createdAt: at(10, 30) }))]);
    const withinLateness = runBatch(processor, [input(normalisedPost('mastodon:3', { tags: ['seruen'], createdAt: at(0, 40) }))]);
    expect(latestDocuments(withinLateness.outputs, topics.volume).get(`volume|${windowOf(0)}|mastodon|kk|seruen`)).toMatchObject({ posts: 2 });

    runBatch(processor, [input(normalisedPost('mastodon:4', { tags: ['seruen'], createdAt: at(11) }))]);
    const late = runBatch(processor, [
      input(normalisedPost('mastodon:5', { tags: ['seruen', 'metoo'], createdAt: at(0, 59), collectedAt: '2026-03-09T00:00:00.000Z' })),
    ]);
    expect(late.outputs.filter((o) => o.topic !== topics.late)).toEqual([]);
    expect(latestDocuments(late.outputs, topics.late)).toEqual(
      new Map([
        [
          'late|mastodon:5',
          {
            schema: 'tagpulse.late/1',
            windowStart: windowOf(0),
            platform: 'mastodon',
            tags: ['seruen', 'metoo'],
            posts: 1,
            updatedAt: '2026-03-09T00:00:00.000Z',
          },
        ],
      ]),
    );
    expect(processor.takeCounts()).toMatchObject({ counted: 4, late: 1 });
  });

  it('evicts closed windows and their post ids from the state, so it stays bounded, and a late copy of an evicted post is late', () => {
    const processor = metricsProcessor(1, 10 * MINUTE);
    const early = runBatch(processor, [input(normalisedPost('mastodon:1', { tags: ['seruen'], createdAt: at(0) }))]);
    expect(early.changelog.filter((r) => r.value === null)).toEqual([]);
    // One record for the whole batch, holding the posts counted (the cells are counted again from them on restore).
    const windowRecords = early.changelog.filter((r) => !r.key.startsWith('metrics.watermark|'));
    expect(windowRecords.map((r) => r.key)).toEqual(['metrics.seen|0:0']);
    expect(JSON.parse(windowRecords[0]!.value!)).toEqual([
      ['mastodon:1', Date.parse(windowOf(0)), { platform: 'mastodon', lang: 'kk', tags: ['seruen'], threadTags: [], families: [], author: expect.any(String) }],
    ]);
    const later = runBatch(processor, [input(normalisedPost('mastodon:2', { tags: ['seruen'], createdAt: at(11) }))]);
    const tombstones = later.changelog.filter((r) => r.value === null).map((r) => r.key);
    expect(tombstones).toEqual(['metrics.seen|0:0']);
    const again = runBatch(processor, [input(normalisedPost('mastodon:1', { tags: ['seruen'], createdAt: at(0) }))]);
    expect([...latestDocuments(again.outputs).keys()]).toEqual(['late|mastodon:1']);
  });

  it('counts a post dated after its arrival in its own window, without making the posts after it late', () => {
    const processor = metricsProcessor(1, 10 * MINUTE);
    const forged = '2099-01-01T00:00:00.000Z';
    const batch = runBatch(processor, [
      // Collected at 10:00: the watermark goes no further, so every window of the morning is still open.
      input(normalisedPost('mastodon:1', { tags: ['seruen'], createdAt: forged, collectedAt: at(0) })),
      input(normalisedPost('mastodon:2', { tags: ['seruen'], createdAt: at(0), collectedAt: at(1) })),
    ]);
    const volumes = latestDocuments(batch.outputs, topics.volume);
    expect(volumes.get(`volume|${forged}|mastodon|kk|seruen`)).toMatchObject({ posts: 1 });
    expect(volumes.get(`volume|${windowOf(0)}|mastodon|kk|seruen`)).toMatchObject({ posts: 1 });
    expect(latestDocuments(batch.outputs, topics.late).size).toBe(0);
    expect(processor.takeCounts()).toMatchObject({ counted: 2, late: 0, aheadOfArrival: 1 });
  });

  it('waits for every partition to have a watermark before evicting anything', () => {
    const processor = metricsProcessor(2, 10 * MINUTE);
    runBatch(processor, [input(normalisedPost('mastodon:1', { tags: ['seruen'], createdAt: at(0) }), 0)]);
    const ahead = runBatch(processor, [input(normalisedPost('mastodon:2', { tags: ['seruen'], createdAt: at(30) }), 0)]);
    expect(ahead.changelog.filter((r) => r.value === null)).toEqual([]);
    // Partition 1 is still at minute 0: a post there for minute 0 is on time and must find its window whole.
    const behind = runBatch(processor, [input(normalisedPost('mastodon:3', { tags: ['seruen'], createdAt: at(0, 30) }), 1)]);
    expect(latestDocuments(behind.outputs, topics.volume).get(`volume|${windowOf(0)}|mastodon|kk|seruen`)).toMatchObject({ posts: 2 });
  });

  it('counts tag pairs, each tag (the diagonal) and all tagged posts (*, *) per platform and minute', () => {
    const processor = metricsProcessor();
    const { outputs } = runBatch(processor, [
      input(normalisedPost('mastodon:1', { tags: ['c', 'a', 'b'] })),
      input(normalisedPost('mastodon:2', { tags: ['b', 'a'] })),
      input(normalisedPost('mastodon:3', { tags: ['a'] })),
      input(normalisedPost('mastodon:4', { tags: [] })),
    ]);
    const counts = Object.fromEntries(
      [...latestDocuments(outputs, topics.cooccurrence).values()].map((doc) => {
        const { tagA, tagB, count } = doc as { tagA: string; tagB: string; count: number };
        return [`${tagA}+${tagB}`, count];
      }),
    );
    expect(counts).toEqual({ '*+*': 3, 'a+a': 3, 'b+b': 2, 'c+c': 1, 'a+b': 2, 'a+c': 1, 'b+c': 1 });
  });

  it('gives, summed over windows and platforms, the counts PMI, NPMI, lift and Jaccard are computed from', () => {
    const processor = metricsProcessor();
    // Two minutes, two platforms: 8 tagged posts, a in 4, b in 4, both in 2; one untagged post.
    const posts = [
      ['mastodon:1', 0, ['a', 'b']],
      ['mastodon:2', 0, ['a']],
      ['telegram:3', 0, ['b', 'a']],
      ['telegram:4', 1, ['a', 'c']],
      ['mastodon:5', 1, ['b']],
      ['mastodon:6', 1, ['b', 'c']],
      ['telegram:7', 1, ['c']],
      ['telegram:8', 1, ['c']],
      ['telegram:9', 1, []],
    ] as const;
    const { outputs } = runBatch(
      processor,
      posts.map(([id, minute, tags]) => input(normalisedPost(id, { platform: id.startsWith('telegram') ? 'telegram' : 'mastodon', tags: [...tags], createdAt: at(minute) }))),
    );
    const sum = (tagA: string, tagB: string) =>
      [...latestDocuments(outputs, topics.cooccurrence).values()]
        .map((doc) => doc as { tagA: string; tagB: string; count: number })
        .filter((doc) => doc.tagA === tagA && doc.tagB === tagB)
        .reduce((total, doc) => total + doc.count, 0);
    const counts = { ab: sum('a', 'b'), a: sum('a', 'a'), b: sum('b', 'b'), total: sum(ALL_TAGGED_POSTS, ALL_TAGGED_POSTS) };
    expect(counts).toEqual({ ab: 2, a: 4, b: 4, total: 8 });
    // p(a) = p(b) = 1/2, p(a,b) = 1/4: independent, so lift 1, PMI 0, NPMI 0; Jaccard 2 / (4 + 4 − 2).
    expect(association(counts)).toEqual({ lift: 1, pmi: 0, npmi: 0, jaccard: 1 / 3 });
    // Always together, in every tagged post: lift 1/p = 2, PMI 1 bit, NPMI 1, Jaccard 1.
    expect(association({ ab: 4, a: 4, b: 4, total: 8 })).toEqual({ lift: 2, pmi: 1, npmi: 1, jaccard: 1 });
  });

  it('counts classified posts, abusive ones, those toward women and each category per tag, with the share toward women', () => {
    const processor = metricsProcessor();
    const { outputs } = runBatch(processor, [
      input(normalisedPost('mastodon:1', { tags: ['metoo'], abuse: verdict({}) })),
      input(normalisedPost('mastodon:2', { tags: ['metoo'], abuse: verdict({ abusive: true, towardWomen: true, categories: ['insult', 'threat'] }) })),
      input(normalisedPost('mastodon:3', { tags: ['metoo'], abuse: verdict({ abusive: true, categories: ['insult'] }) })),
      input(normalisedPost('mastodon:4', { tags: ['metoo'] })),
    ]);
    expect(latestDocuments(outputs, topics.abuse).get(`abuse|${windowOf(0)}|mastodon|v1|metoo`)).toEqual({
      schema: 'tagpulse.abuse/1',
      windowStart: windowOf(0),
      tag: 'metoo',
      platform: 'mastodon',
      posts: 3,
      abusive: 2,
      abusiveTowardWomen: 1,
      categories: { insult: 2, threat: 1 },
      classifierVersion: 'v1',
      shareTowardWomen: 1 / 3,
      shareTowardWomenLow: expect.closeTo(0.0615, 4),
      shareTowardWomenHigh: expect.closeTo(0.7923, 4),
    });
  });

  it('counts a reply in abuse under its own tags and the tags of the thread it answers, each once; in volume and co-occurrence under its own only', () => {
    const processor = metricsProcessor();
    const abusive = verdict({ abusive: true, towardWomen: true, categories: ['insult'] });
    const { outputs } = runBatch(processor, [
      // The activist's post, and three replies: untagged and abusive; with a tag of its own; one (written by hand)
      // whose thread tags repeat its own tag.
      input(normalisedPost('vk:1_9', { platform: 'vk', tags: ['menoiandim'], families: ['menoiandym'], abuse: verdict({}) })),
      input(normalisedPost('vk:1_9_1', { platform: 'vk', replyTo: 'vk:1_9', threadId: 'vk:1_9', threadTags: ['menoiandim'], abuse: abusive })),
      input(normalisedPost('vk:1_9_2', { platform: 'vk', tags: ['seruen'], families: ['seruen'], threadTags: ['menoiandim'], abuse: abusive })),
      input(normalisedPost('vk:1_9_3', { platform: 'vk', tags: ['menoiandim'], threadTags: ['menoiandim'], abuse: verdict({}) })),
    ]);
    const abuse = latestDocuments(outputs, topics.abuse);
    expect(abuse.get(`abuse|${windowOf(0)}|vk|v1|menoiandim`)).toMatchObject({ posts: 4, abusive: 2, abusiveTowardWomen: 2, categories: { insult: 2 } });
    expect(abuse.get(`abuse|${windowOf(0)}|vk|v1|seruen`)).toMatchObject({ posts: 1, abusive: 1 });
    expect(abuse.size).toBe(2);
    const volume = latestDocuments(outputs, topics.volume);
    expect(volume.get(`volume|${windowOf(0)}|vk|kk|menoiandim`)).toMatchObject({ posts: 2 });
    expect(volume.get(`volume|${windowOf(0)}|vk|kk|family:menoiandym`)).toMatchObject({ posts: 1 });
    expect(volume.get(`volume|${windowOf(0)}|vk|kk|seruen`)).toMatchObject({ posts: 1 });
    const cooccurrence = latestDocuments(outputs, topics.cooccurrence);
    expect(cooccurrence.get(`cooccurrence|${windowOf(0)}|vk|*|*`)).toMatchObject({ count: 3 });
    expect(cooccurrence.get(`cooccurrence|${windowOf(0)}|vk|menoiandim|seruen`)).toBeUndefined();
  });

  it('gives the share toward women a Wilson 95% score interval: inside [0, 1], honest for few posts', () => {
    // Published values (Newcombe 1998, Brown, Cai & DasGupta 2001) for 0 of 10, 5 of 10, 10 of 10 and 1 of 1.
    const interval = (abusiveTowardWomen: number, posts: number) => {
      const share = shareTowardWomen({ abusiveTowardWomen, posts });
      return [share.shareTowardWomen, share.shareTowardWomenLow, share.shareTowardWomenHigh].map((x) => Math.round(x * 10_000) / 10_000);
    };
    expect(interval(0, 10)).toEqual([0, 0, 0.2775]);
    expect(interval(5, 10)).toEqual([0.5, 0.2366, 0.7634]);
    expect(interval(10, 10)).toEqual([1, 0.7225, 1]);
    expect(interval(1, 1)).toEqual([1, 0.2065, 1]);
  });

  it('sends unreadable posts to the dead-letter topic and goes on', () => {
    const processor = metricsProcessor();
    const { outputs } = runBatch(processor, [input('{"id": 1}'), input(normalisedPost('mastodon:1', { tags: ['seruen'] }))]);
    const letters = outputs.filter((o) => o.topic === topics.deadLetter).map((o) => JSON.parse(o.value));
    expect(letters).toEqual([expect.objectContaining({ stage: 'metrics', reason: 'schema', origin: { topic: topics.normalised, partition: 0, offset: expect.any(String) } })]);
    expect(latestDocuments(outputs, topics.volume).size).toBe(1);
  });

  it('ends in the same state and documents when restarted from its changelog at any batch', () => {
    // Event time advancing half a minute a post, a little out of order, every seventh post 15 minutes late
    // (lateness 10), every tenth post a copy of the one before.
    const posts = Array.from({ length: 60 }, (_, i) =>
      normalisedPost(`mastodon:${i % 10 === 9 ? i - 1 : i}`, {
        tags: [['a'], ['a', 'b'], ['b', 'c']][i % 3]!,
        author: { id: `u${i % 7}` },
        createdAt: at(Math.max(0, Math.floor(i / 2) - (i % 7 === 6 ? 15 : i % 3)), i % 60),
        abuse: verdict({ abusive: i % 4 === 0, categories: i % 4 === 0 ? ['insult'] : [] }),
      }),
    );
    const batches = Array.from({ length: 6 }, (_, b) => posts.slice(b * 10, b * 10 + 10).map((p, i) => input(p, i % 2)));
    const uninterrupted = metricsProcessor(2);
    const results = batches.map((batch) => runBatch(uninterrupted, batch));
    const expected = latestDocuments(results.flatMap((r) => r.outputs));
    // The sequence exercises every path: duplicates, late posts and evictions.
    const positive = expect.toSatisfy((n: number) => n > 0);
    expect(uninterrupted.takeCounts()).toMatchObject({ duplicates: positive, late: positive, counted: positive });
    expect(results.flatMap((r) => r.changelog).some((r) => r.value === null)).toBe(true);

    for (let crashAfter = 1; crashAfter < batches.length; crashAfter++) {
      const first = metricsProcessor(2);
      const before: BatchResult[] = batches.slice(0, crashAfter).map((batch) => runBatch(first, batch));
      const second = metricsProcessor(2);
      restoreInto(second, before.flatMap((b) => b.changelog));
      const after = batches.slice(crashAfter).map((batch) => runBatch(second, batch));
      expect(latestDocuments([...before, ...after].flatMap((b) => b.outputs))).toEqual(expected);
    }
  });

  it('continues from a changelog that logged cells one record per key, counting on, and again after another restart', () => {
    const window = windowOf(0);
    const cell = `volume|${window}|mastodon|kk|seruen`;
    const legacy = [
      { key: 'metrics.watermark|0', value: String(Date.parse(at(0))) },
      { key: 'metrics.seen|mastodon:1', value: String(Date.parse(window)) },
      { key: `metrics.cell|${cell}`, value: JSON.stringify({ windowStart: window, tag: 'seruen', platform: 'mastodon', lang: 'kk', posts: 1, authors: ['h1:a'] }) },
    ];
    const processor = metricsProcessor();
    restoreInto(processor, legacy);
    const first = runBatch(processor, [
      input(normalisedPost('mastodon:1', { tags: ['seruen'], createdAt: at(0) })),
      input(normalisedPost('mastodon:2', { tags: ['seruen'], createdAt: at(0, 10), author: { id: 'h1:b' } })),
    ]);
    expect(processor.takeCounts()).toMatchObject({ duplicates: 1, counted: 1 });
    expect(latestDocuments(first.outputs, topics.volume).get(cell)).toMatchObject({ posts: 2, authors: 2 });
    // The seen record is rewritten; the cell record stays as the base the new posts count on, until its window closes.
    expect(first.changelog.filter((r) => r.value === null).map((r) => r.key)).toEqual(['metrics.seen|mastodon:1']);

    const restarted = metricsProcessor();
    restoreInto(restarted, [...legacy, ...first.changelog]);
    const second = runBatch(restarted, [
      input(normalisedPost('mastodon:2', { tags: ['seruen'], createdAt: at(0, 10), author: { id: 'h1:b' } })),
      input(normalisedPost('mastodon:3', { tags: ['seruen'], createdAt: at(0, 20), author: { id: 'h1:c' } })),
    ]);
    expect(restarted.takeCounts()).toMatchObject({ duplicates: 1, counted: 1 });
    expect(latestDocuments(second.outputs, topics.volume).get(cell)).toMatchObject({ posts: 3, authors: 3 });

    const closing = runBatch(restarted, [input(normalisedPost('mastodon:4', { tags: ['seruen'], createdAt: at(11) }))]);
    expect(closing.changelog.filter((r) => r.value === null).map((r) => r.key)).toEqual(expect.arrayContaining([`metrics.cell|${cell}`]));
  });
});
