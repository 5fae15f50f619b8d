import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKafka } from '../../infra/kafka/client.js';
import { topicNames } from '../../infra/kafka/topics.js';
import { openStore } from '../../infra/store/open.js';
import type { SearchStore } from '../../infra/store/search-store.js';
import { waitFor } from '../../infra/wait.js';
import { readCommittedToEnd } from '../../ingest/framework/kafka.js';
import { latestTopicDocuments } from '../../infra/kafka/topic-documents.js';
import { detectLanguage } from '../../processors/normalise/language.js';
import type { VolumeMetric } from '../../schemas/index.js';
import { runCli } from '../support/cli.js';
import { initialisedConfig } from '../support/config.js';
import { generateDeliveries, SENTENCES } from '../support/generated-posts.js';
import { groundTruth, type ExpectedDocument } from '../support/ground-truth.js';
import { countDocuments, openProducer, type RunningCli, scanIndex, spawnCli } from '../support/pipeline.js';
import { TEST_PSEUDONYM_KEY } from '../support/processors.js';
import { seededRandom } from '../support/random.js';

// Issue 5's size: 50,000 messages (duplicates, late posts, garbage, comments on followed threads, windows closing
// and evicted), killed three times. On two cores shared with Kafka and OpenSearch under other load it took two to
// two and a half minutes (measured 114 s and 148 s; 238 s while the fault suite's second stack ran beside it), so
// its deadline of ten minutes only catches a hang.
const MESSAGES = 50_000;
const KILLS = 3;
/** Messages per produce while the processor runs, so it reads small batches and a kill lands between many transactions. */
const CHUNK = 250;
const ALLOWED_LATENESS_MS = 30 * 60_000;
const env = { TAGPULSE_PSEUDONYM_KEY: TEST_PSEUDONYM_KEY };

/** Ids whose documents differ between two maps (missing on either side included). */
function mismatches(expected: ReadonlyMap<string, unknown>, actual: ReadonlyMap<string, unknown>): string[] {
  const ids = new Set([...expected.keys(), ...actual.keys()]);
  return [...ids].filter((id) => JSON.stringify(sortKeys(expected.get(id))) !== JSON.stringify(sortKeys(actual.get(id))));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value) || value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]));
}

interface CompositeBucket {
  key: { window: number; platform: string; lang: string; tag: string };
  doc_count: number;
  authors: { value: number };
}

/**
 * The search engine's own count of the posts index, per one-minute window × platform × language × value of
 * `field` (tags or families), with distinct authors, leaving out the posts the stream recorded as late.
 */
async function postsAggregation(store: SearchStore, field: 'tags' | 'families', lateIds: string[]): Promise<Map<string, { posts: number; authors: number }>> {
  const cells = new Map<string, { posts: number; authors: number }>();
  let after: unknown;
  for (;;) {
    const response = await store.search<unknown, { cells: { buckets: CompositeBucket[]; after_key?: unknown } }>(store.alias('posts'), {
      size: 0,
      query: { bool: { must_not: [{ ids: { values: lateIds } }] } },
      aggs: {
        cells: {
          composite: {
            size: 500,
            ...(after ? { after } : {}),
            sources: [
              { window: { date_histogram: { field: 'createdAt', fixed_interval: '1m' } } },
              { platform: { terms: { field: 'platform' } } },
              { lang: { terms: { field: 'lang' } } },
              { tag: { terms: { field } } },
            ],
          },
          // Exact below the threshold, and a minute's authors are far fewer. Each bucket reserves memory in
          // proportion to it, so a higher one only risks the engine's circuit breaker.
          aggs: { authors: { cardinality: { field: 'author.id', precision_threshold: 1000 } } },
        },
      },
    });
    const { buckets, after_key } = response.aggregations!.cells;
    for (const b of buckets) {
      const tag = field === 'families' ? `family:${b.key.tag}` : b.key.tag;
      cells.set(`volume|${new Date(b.key.window).toISOString()}|${b.key.platform}|${b.key.lang}|${tag}`, { posts: b.doc_count, authors: b.authors.value });
    }
    if (buckets.length === 0 || after_key === undefined) return cells;
    after = after_key;
  }
}

describe('exactly once through crashes', () => {
  it(`counts ${MESSAGES} messages exactly once while the processor is SIGKILLed ${KILLS} times`, { timeout: 600_000 }, async () => {
    const started = Date.now();
    // Precondition: the generator's sentences are in the language it says (the identifier is tested on its own).
    for (const [lang, sentences] of Object.entries(SENTENCES)) for (const s of sentences) expect(detectLanguage(s), s).toBe(lang);

    const config = await initialisedConfig({ processing: { allowedLatenessMs: ALLOWED_LATENESS_MS } });
    const topics = topicNames(config.kafka.topicPrefix);
    const configFile = join(mkdtempSync(join(tmpdir(), 'tagpulse-crash-')), 'tagpulse.config.json');
    writeFileSync(configFile, JSON.stringify(config));
    // Four hours of a campaign: event time advances 3 s a message, so windows close and are evicted on the way.
    // 5% of the posts are VK comments on a followed thread, counted in abuse under the thread's tag; 0.1% are
    // dated days after they were collected, and must not make the posts after them late.
    const deliveries = generateDeliveries({ seed: 20260308, messages: MESSAGES, start: Date.UTC(2026, 2, 8, 6), stepMs: 3000, comments: 0.05, aheadOfArrival: 0.001 });
    const truth = groundTruth(deliveries, ALLOWED_LATENESS_MS);
    expect(deliveries.filter((d) => d.post && Date.parse(d.post.createdAt) > Date.parse(d.post.collectedAt) + 86_400_000).length).toBeGreaterThan(10);
    expect(deliveries.filter((d) => d.post?.threadTags).length).toBeGreaterThan(MESSAGES * 0.02);
    expect(truth.ambiguous).toBe(0);
    expect(truth.late).toBeGreaterThan(0);
    expect(truth.duplicates).toBeGreaterThan(0);

    // Kill points: when the normalised topic has grown past a seeded random share of the input. After the last
    // kill, the run that must finish the work is `process --until-idle`.
    const random = seededRandom(42);
    const killAt = Array.from({ length: KILLS }, () => Math.floor((0.05 + 0.85 * random()) * MESSAGES)).sort((a, b) => a - b);
    const admin = createKafka(config.kafka, 'test-crash').admin();
    await admin.connect();
    const producer = await openProducer(config);
    let processor: RunningCli | undefined = spawnCli(['process', '--config', configFile], env);
    const kills: Array<{ at: number; normalised: number }> = [];
    try {
      const normalisedSoFar = async () => (await admin.fetchTopicOffsets(topics.normalised)).reduce((sum, p) => sum + Number(p.high), 0);
      const killWhenReached = async (running: RunningCli, threshold: number) => {
        const reached = waitFor(`the normalised topic to reach ${threshold} messages`, async () => (await normalisedSoFar()) >= threshold, {
          timeoutMs: 60_000,
          intervalMs: 50,
        });
        const diedFirst = running.exited.then((how) => {
          throw new Error(`the processor exited on its own (${how}): ${running.output()}`);
        });
        await Promise.race([reached, diedFirst]);
        expect(await running.kill('SIGKILL')).toBe('SIGKILL');
        kills.push({ at: threshold, normalised: await normalisedSoFar() });
      };
      const nextKill = async () => {
        await killWhenReached(processor!, killAt.shift()!);
        processor = killAt.length > 0 ? spawnCli(['process', '--config', configFile], env) : undefined;
      };
      for (let sent = 0; sent < deliveries.length; sent += CHUNK) {
        const chunk = deliveries.slice(sent, sent + CHUNK);
        await producer.send(topics.raw, chunk);
        while (killAt.length > 0 && killAt[0]! <= sent + chunk.length - CHUNK) await nextKill();
      }
      while (killAt.length > 0) await nextKill();
    } finally {
      if (processor?.running) await processor.kill('SIGKILL');
      await producer.close();
      await admin.disconnect();
    }
    const killedBy = Date.now();
    const final = await runCli(['process', '--until-idle', '--config', configFile], { env });
    const finalRunSeconds = (Date.now() - killedBy) / 1000;
    expect(final.code, final.stderr).toBe(0);

    // Exactly once on the topics: one normalised message per valid message, one dead letter per garbage one.
    let normalised = 0;
    await readCommittedToEnd(config, topics.normalised, () => normalised++, 120_000);
    expect(normalised).toBe(MESSAGES - truth.garbage);
    let deadLetters = 0;
    await readCommittedToEnd(config, topics.deadLetter, () => deadLetters++, 60_000);
    expect(deadLetters).toBe(truth.garbage);

    // Every window of every metric, as the latest documents on its topic, equals the ground truth.
    const streamed = new Map<string, unknown>();
    for (const topic of [topics.volume, topics.cooccurrence, topics.abuse, topics.late]) {
      for (const [id, json] of await latestTopicDocuments(config, topic)) streamed.set(id, JSON.parse(json));
    }
    const expected = truth.documents as ReadonlyMap<string, ExpectedDocument>;
    const topicMismatches = mismatches(expected, streamed);

    const store = await openStore(config);
    try {
      // The indices hold the same documents.
      const indexed = new Map<string, unknown>();
      for (const logical of ['metrics-volume', 'metrics-cooccurrence', 'metrics-abuse', 'metrics-late']) {
        for (const [id, doc] of await scanIndex(store, logical)) indexed.set(id, doc);
      }
      const indexMismatches = mismatches(streamed, indexed);
      expect(await countDocuments(store, 'posts')).toBe(new Set(deliveries.flatMap((d) => (d.post ? [d.post.id] : []))).size);

      // The search engine's own aggregation over the posts index, late posts left out, agrees with the volumes.
      const lateIds = [...indexed.keys()].filter((id) => id.startsWith('late|')).map((id) => id.slice('late|'.length));
      const aggregated = new Map([...(await postsAggregation(store, 'tags', lateIds)), ...(await postsAggregation(store, 'families', lateIds))]);
      const volumes = new Map(
        [...indexed].filter(([id]) => id.startsWith('volume|')).map(([id, doc]) => [id, { posts: (doc as VolumeMetric).posts, authors: (doc as VolumeMetric).authors }]),
      );
      const aggregationMismatches = mismatches(volumes, aggregated);

      const report = {
        kills: kills.length,
        killedAt: kills,
        messages: MESSAGES,
        posts: truth.counted,
        duplicates: truth.duplicates,
        late: truth.late,
        garbage: truth.garbage,
        windowsCompared: expected.size,
        topicMismatches: topicMismatches.length,
        indexMismatches: indexMismatches.length,
        aggregationCellsCompared: volumes.size,
        aggregationMismatches: aggregationMismatches.length,
        finalRun: final.stdout.trim(),
        killPhaseSeconds: (killedBy - started) / 1000,
        finalRunSeconds,
        seconds: (Date.now() - started) / 1000,
      };
      process.stderr.write(`[crash test] ${JSON.stringify(report, null, 2)}\n`);
      expect(topicMismatches.slice(0, 5).map((id) => [id, expected.get(id), streamed.get(id)])).toEqual([]);
      expect(indexMismatches.slice(0, 5).map((id) => [id, streamed.get(id), indexed.get(id)])).toEqual([]);
      expect(aggregationMismatches.slice(0, 5).map((id) => [id, volumes.get(id), aggregated.get(id)])).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
