import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abuse as abuseQuery } from '../../api/queries/abuse.js';
import { queryContext } from '../../api/queries/context.js';
import { topicNames } from '../../infra/kafka/topics.js';
import { openStore } from '../../infra/store/open.js';
import type { SearchStore } from '../../infra/store/search-store.js';
import { readCommittedToEnd } from '../../ingest/framework/kafka.js';
import { latestTopicDocuments } from '../../infra/kafka/topic-documents.js';
import { openKafkaSink } from '../../ingest/kafka-sink.js';
import { classify } from '../../processors/abuse/classify.js';
import { parseDataset } from '../../processors/abuse/evaluation.js';
import { canonicalTag } from '../../processors/normalise/canonical.js';
import { createPseudonymiser } from '../../processors/normalise/pseudonymise.js';
import { runProcessors, type RunSummary } from '../../processors/run.js';
import { STAGE_NAMES } from '../../processors/topology.js';
import {
  AbuseParams,
  DEFAULT_FAMILIES,
  type AbuseMetric,
  type CooccurrenceMetric,
  type DeadLetter,
  type LateDataMetric,
  type NormalisedPost,
  type RawEnvelope,
  type TagpulseConfig,
  type VolumeMetric,
} from '../../schemas/index.js';
import { runCli } from '../support/cli.js';
import { initialisedConfig } from '../support/config.js';
import { readTopic } from '../support/kafka.js';
import { countDocuments, produce, searchAll } from '../support/pipeline.js';
import { rawEnvelope, TEST_PSEUDONYM_KEY } from '../support/processors.js';
import { readSharedJson, sharedDatasetPath } from '../support/shared.js';

interface HashtagVariants {
  families: Record<string, string[]>;
  distinct: [string, string][];
  configured_aliases: Record<string, string[] | string>;
}
const variants = readSharedJson<HashtagVariants>('hashtag-variants.json');
const aliasesOf = (family: string) => variants.configured_aliases[family] as string[];

const env = { TAGPULSE_PSEUDONYM_KEY: TEST_PSEUDONYM_KEY };
const minute = (m: number, s = 0) => new Date(Date.UTC(2026, 2, 8, 10, m, s)).toISOString();

/** Sums volume documents by tag (over languages) within one window. */
function postsByTag(volume: VolumeMetric[], windowStart: string, platform = 'mastodon'): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const doc of volume) if (doc.windowStart === windowStart && doc.platform === platform) sums[doc.tag] = (sums[doc.tag] ?? 0) + doc.posts;
  return sums;
}

describe('the processors, end to end on the real stack', () => {
  let config: TagpulseConfig;
  let store: SearchStore;
  let summary: RunSummary;
  let volume: Array<VolumeMetric & { _id: string }>;
  const sent: RawEnvelope[] = [];
  const abuseTexts = parseDataset(readFileSync(sharedDatasetPath('abuse-dev.jsonl'), 'utf8')).map((p) => p.text);

  beforeAll(async () => {
    // Translations join a family only through configuration: metoo gets its aliases, qazaqkoktemi does not.
    config = await initialisedConfig({ families: { ...DEFAULT_FAMILIES, metoo: { aliases: aliasesOf('metoo') } } });
    const topics = topicNames(config.kafka.topicPrefix);
    const post = (id: string, item: Partial<RawEnvelope['item']>, envelope: Partial<RawEnvelope> = {}) => {
      sent.push(rawEnvelope(id, item, envelope));
    };
    // Every spelling of each family, one post each, the family's own minute.
    Object.entries(variants.families).forEach(([family, spellings], f) =>
      spellings.forEach((spelling, i) => post(`variant-${family}-${i}`, { text: `Біз бірге ${spelling}`, createdAt: minute(f) })),
    );
    // Pairs that must stay apart, each pair in its own minute.
    variants.distinct.forEach(([a, b], i) => {
      post(`distinct-${i}-a`, { text: `Біз бірге ${a}`, createdAt: minute(10 + i) });
      post(`distinct-${i}-b`, { text: `Біз бірге ${b}`, createdAt: minute(10 + i) });
    });
    // Configured aliases (metoo) and an alias that is not configured (qazaqkoktemi's).
    aliasesOf('metoo').forEach((alias, i) => post(`alias-metoo-${i}`, { text: `Біз бірге ${alias}`, createdAt: minute(20) }));
    aliasesOf('qazaqkoktemi').forEach((alias, i) => post(`alias-koktemi-${i}`, { text: `Біз бірге ${alias}`, createdAt: minute(20) }));
    // One post delivered by two sources, and polled again by the first.
    post('dup', { text: 'Біз бірге #seruen', createdAt: minute(30) }, { source: 'mastodon:kz' });
    post('dup', { text: 'Біз бірге #seruen', createdAt: minute(30) }, { source: 'import:zeeschuimer' });
    post('dup', { text: 'Біз бірге #seruen', createdAt: minute(30), engagement: { likes: 3 } }, { source: 'mastodon:kz' });
    // Co-occurrence on its own platform: {alpha, beta, gamma}, {alpha, beta}, {alpha}, and an untagged post.
    const bluesky = { platform: 'bluesky' as const };
    post('cooc-1', { text: '#alpha #beta #gamma', createdAt: minute(40) }, bluesky);
    post('cooc-2', { text: '#beta #alpha', createdAt: minute(40) }, bluesky);
    post('cooc-3', { text: 'only #alpha', createdAt: minute(40, 30) }, bluesky);
    post('cooc-4', { text: 'no tags at all', createdAt: minute(40) }, bluesky);
    // An activist's post on VK, and an untagged abusive comment that a collector following the post's thread
    // delivered with the post's tag as its query (a minute and platform of their own).
    const thread = { platform: 'vk' as const, source: 'vk', query: 'menoiandym' };
    post('-5_77', { text: 'Мен ояндым #menoiandym', createdAt: minute(45) }, thread);
    post('-5_77_1', { text: 'Ты тупая корова, иди на кухню', createdAt: minute(45, 30), replyTo: { platformId: '-5_77' }, threadId: '-5_77' }, thread);
    // The labelled abuse posts, all under one tag, on Telegram.
    abuseTexts.forEach((text, i) => post(`abuse-${i}`, { text: `${text} #qazaqkoktemi`, createdAt: minute(50) }, { platform: 'telegram' }));

    const sink = await openKafkaSink(config);
    await sink.send(sent);
    await sink.close();
    // Garbage in the raw topic between valid posts: not JSON, not UTF-8, not an envelope.
    await produce(config, topics.raw, [
      { key: 'garbage:1', value: 'this is not json' },
      { key: 'garbage:2', value: Buffer.from([0xc3, 0x28, 0xa0, 0xa1]) },
      { key: 'garbage:3', value: JSON.stringify({ schema: 'tagpulse.raw/1', platform: 'myspace' }) },
    ]);
    const after = await openKafkaSink(config);
    await after.send([rawEnvelope('after-garbage', { text: 'Біз бірге #seruen', createdAt: minute(59) })]);
    await after.close();

    summary = await runProcessors(config, { stages: STAGE_NAMES, untilIdle: true, env });
    store = await openStore(config);
    volume = await searchAll<VolumeMetric>(store, 'metrics-volume');
  });

  afterAll(async () => {
    await store?.close();
  });

  it('counts every spelling of a family under one key', () => {
    Object.entries(variants.families).forEach(([family, spellings], f) => {
      const key = canonicalTag(spellings[0]!);
      expect(postsByTag(volume, minute(f)), family).toEqual({ [key]: spellings.length, [`family:${family}`]: spellings.length });
    });
  });

  it('keeps the distinct pairs apart', () => {
    variants.distinct.forEach(([a, b], i) => {
      const counts = postsByTag(volume, minute(10 + i));
      expect(canonicalTag(a)).not.toBe(canonicalTag(b));
      expect(counts[canonicalTag(a)], `${a} vs ${b}`).toBe(1);
      expect(counts[canonicalTag(b)], `${a} vs ${b}`).toBe(1);
    });
  });

  it('joins configured aliases to their family, and only those', async () => {
    const counts = postsByTag(volume, minute(20));
    expect(counts['family:metoo']).toBe(aliasesOf('metoo').length);
    expect(counts['family:qazaqkoktemi']).toBeUndefined();
    // Translations remain tags of their own; only the family unites them.
    for (const alias of aliasesOf('metoo')) expect(counts[canonicalTag(alias)]).toBeGreaterThan(0);
    const posts = await searchAll<NormalisedPost>(store, 'posts', { prefix: { id: 'mastodon:alias-' } });
    expect(Object.fromEntries(posts.map((p) => [p.platformId, p.families]))).toEqual({
      ...Object.fromEntries(aliasesOf('metoo').map((_, i) => [`alias-metoo-${i}`, ['metoo']])),
      ...Object.fromEntries(aliasesOf('qazaqkoktemi').map((_, i) => [`alias-koktemi-${i}`, []])),
    });
  });

  it('counts a post delivered by two sources and polled twice once, and keeps every source on the post', async () => {
    expect(postsByTag(volume, minute(30))).toEqual({ seruen: 1, 'family:seruen': 1 });
    const [post] = await searchAll<NormalisedPost>(store, 'posts', { ids: { values: ['mastodon:dup'] } });
    expect(post).toMatchObject({ sources: ['import:zeeschuimer', 'mastodon:kz'], engagement: { likes: 3 } });
    const copies: unknown[] = [];
    await readCommittedToEnd(config, topicNames(config.kafka.topicPrefix).normalised, (m) => {
      if (m.key?.toString() === 'mastodon:dup') copies.push(m);
    });
    expect(copies).toHaveLength(3);
  });

  it('sends unreadable raw messages to the dead-letter topic with their origin, and goes on', async () => {
    const topics = topicNames(config.kafka.topicPrefix);
    const letters = (await readTopic(config, topics.deadLetter, 3)).map((m) => JSON.parse(m.value!.toString()) as DeadLetter);
    // Each came from its own partition, so the topic holds them in whatever order the partitions were read.
    expect(letters.map((l) => [l.stage, l.reason, l.rawEncoding]).sort()).toEqual([
      ['normalise', 'encoding', 'base64'],
      ['normalise', 'json', 'utf8'],
      ['normalise', 'schema', 'json'],
    ]);
    for (const letter of letters) expect(letter.origin).toMatchObject({ topic: topics.raw, partition: expect.any(Number), offset: expect.any(String) });
    expect(postsByTag(volume, minute(59))).toEqual({ seruen: 1, 'family:seruen': 1 });
    expect(summary.normalise).toMatchObject({ messages: sent.length + 4, deadLetters: 3 });
  });

  it('counts tag pairs, each tag and all tagged posts, from which the association measures follow', async () => {
    const docs = await searchAll<CooccurrenceMetric>(store, 'metrics-cooccurrence', { term: { platform: 'bluesky' } });
    const n = (a: string, b: string) => docs.filter((d) => d.tagA === a && d.tagB === b).reduce((sum, d) => sum + d.count, 0);
    expect(docs.every((d) => d.windowStart === minute(40))).toBe(true);
    expect([n('*', '*'), n('alpha', 'alpha'), n('beta', 'beta'), n('gamma', 'gamma')]).toEqual([3, 3, 2, 1]);
    expect([n('alpha', 'beta'), n('alpha', 'gamma'), n('beta', 'gamma')]).toEqual([2, 1, 1]);
    // docs/metrics.md: PMI = log(p(a,b) / (p(a) p(b))) with p = n / N, Jaccard = n(a,b) / (n(a) + n(b) - n(a,b)).
    const total = n('*', '*');
    expect(Math.log(n('alpha', 'beta') / total / ((n('alpha', 'alpha') / total) * (n('beta', 'beta') / total)))).toBeCloseTo(0);
    expect(n('beta', 'gamma') / (n('beta', 'beta') + n('gamma', 'gamma') - n('beta', 'gamma'))).toBeCloseTo(0.5);
  });

  it('counts the abuse verdicts per tag: posts, abusive, toward women and per category, and the share toward women', async () => {
    const posts = await searchAll<NormalisedPost>(store, 'posts', { term: { platform: 'telegram' } });
    expect(posts).toHaveLength(abuseTexts.length);
    const pseudonymiser = createPseudonymiser(config.privacy, env);
    const expected = { posts: 0, abusive: 0, abusiveTowardWomen: 0, categories: {} as Record<string, number> };
    for (const post of posts) {
      const source = abuseTexts[Number(post.platformId.slice('abuse-'.length))]!;
      const verdict = classify(pseudonymiser.pseudonymiseMentions(`${source} #qazaqkoktemi`, 'telegram'), post.lang);
      expect(post.abuse).toEqual(verdict);
      expected.posts++;
      if (!verdict.abusive) continue;
      expected.abusive++;
      if (verdict.towardWomen) expected.abusiveTowardWomen++;
      for (const category of verdict.categories) expected.categories[category] = (expected.categories[category] ?? 0) + 1;
    }
    expect(expected.abusive).toBeGreaterThan(0);
    const [doc, ...others] = await searchAll<AbuseMetric>(store, 'metrics-abuse', {
      bool: { filter: [{ term: { platform: 'telegram' } }, { term: { tag: 'kazakkoktemi' } }] },
    });
    expect(others).toEqual([]);
    expect(doc).toMatchObject({ windowStart: minute(50), ...expected, shareTowardWomen: expected.abusiveTowardWomen / expected.posts });
    expect(doc!.shareTowardWomenLow).toBeLessThan(doc!.shareTowardWomen);
    expect(doc!.shareTowardWomenHigh).toBeGreaterThan(doc!.shareTowardWomen);
  });

  it('counts an untagged abusive comment in abuse under the tag of the post it answers; volume counts only posts carrying the tag', async () => {
    const key = canonicalTag('menoiandym');
    // The wall owner (-5) in a VK post id is an account, stored as its pseudonym.
    const wall = `vk:${createPseudonymiser(config.privacy, env).id('vk', '-5')}`;
    const [comment] = await searchAll<NormalisedPost>(store, 'posts', { ids: { values: [`${wall}_77_1`] } });
    expect(comment).toMatchObject({ tags: [], families: [], threadTags: [key], replyTo: `${wall}_77`, threadId: `${wall}_77`, abuse: { abusive: true, towardWomen: true } });
    const docs = await searchAll<AbuseMetric>(store, 'metrics-abuse', { term: { platform: 'vk' } });
    expect(docs.map(({ tag, posts, abusive, abusiveTowardWomen }) => ({ tag, posts, abusive, abusiveTowardWomen }))).toEqual([
      { tag: key, posts: 2, abusive: 1, abusiveTowardWomen: 1 },
    ]);
    expect(postsByTag(volume, minute(45), 'vk')).toEqual({ [key]: 1, 'family:menoiandym': 1 });
    const cooccurrence = await searchAll<CooccurrenceMetric>(store, 'metrics-cooccurrence', { term: { platform: 'vk' } });
    expect(cooccurrence.find((d) => d.tagA === '*')).toMatchObject({ count: 1 });
    // The API's abuse query answers from the same cells, for the tag and for its family.
    const context = queryContext(store, config, 'pseudonyms');
    const answer = await abuseQuery(context, AbuseParams.parse({ tag: ['МенОяндым'], family: ['menoiandym'], platform: ['vk'], from: minute(0), to: minute(59), interval: 'hour' }));
    expect(answer.rows.map((r) => [r.tag, r.posts, r.abusive, r.abusive_toward_women])).toEqual([
      [key, 2, 1, 1],
      ['family:menoiandym', 2, 1, 1],
    ]);
  });

  it('indexes each post once under its id, and every metric document as the latest on its topic', async () => {
    const postIds = new Set(sent.map((e) => `${e.platform}:${e.platformId}`)).size + 1;
    expect(await countDocuments(store, 'posts')).toBe(postIds);
    const topics = topicNames(config.kafka.topicPrefix);
    expect(new Map(volume.map(({ _id, ...doc }) => [_id, doc]))).toEqual(new Map([...(await latestTopicDocuments(config, topics.volume))].map(([id, json]) => [id, JSON.parse(json)])));
    expect(await searchAll<LateDataMetric>(store, 'metrics-late')).toEqual([]);
  });

  it('does nothing more when run again, through the CLI, and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tagpulse-process-'));
    const file = join(dir, 'tagpulse.config.json');
    writeFileSync(file, JSON.stringify(config));
    const again = await runCli(['process', '--until-idle', '--config', file], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^normalise\s+nothing to do$/m);
    expect(again.stdout).toMatch(/^sink\s+nothing to do$/m);
    expect(await searchAll<VolumeMetric>(store, 'metrics-volume')).toEqual(volume);

    const refused = await runCli(['process', '--until-idle', '--config', file], { env: { TAGPULSE_PSEUDONYM_KEY: '' } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/TAGPULSE_PSEUDONYM_KEY is not set/);
  });

});
