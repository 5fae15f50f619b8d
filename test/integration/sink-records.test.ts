import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicNames } from '../../infra/kafka/topics.js';
import { openStore } from '../../infra/store/open.js';
import type { SearchStore } from '../../infra/store/search-store.js';
import { readCommittedToEnd } from '../../ingest/framework/kafka.js';
import { runProcessors } from '../../processors/run.js';
import { DeadLetter, metricBatchLine, type TagpulseConfig, type VolumeMetric } from '../../schemas/index.js';
import { initialisedConfig } from '../support/config.js';
import { openProducer, searchAll } from '../support/pipeline.js';
import { TEST_PSEUDONYM_KEY } from '../support/processors.js';

const window = '2026-03-08T10:00:00.000Z';
const volume = (tag: string, posts: number): VolumeMetric => ({ schema: 'tagpulse.volume/1', windowStart: window, tag, platform: 'mastodon', lang: 'kk', posts, authors: posts });
const idOf = (tag: string) => `volume|${window}|mastodon|kk|${tag}`;

/**
 * The sink reads what a metric topic may hold: metric batches, metric documents one per keyed record (as Tagpulse
 * wrote them before metric batches, still there after an upgrade), and a record that is neither.
 */
describe('the sink on a metric topic', () => {
  let config: TagpulseConfig;
  let store: SearchStore;

  beforeAll(async () => {
    config = await initialisedConfig();
    store = await openStore(config);
  });
  afterAll(() => store?.close());

  it('indexes batches and keyed documents alike, and dead-letters an unreadable record with its origin, going on', async () => {
    const topic = topicNames(config.kafka.topicPrefix).volume;
    const producer = await openProducer(config);
    try {
      await producer.send(topic, [
        { key: idOf('seruen'), value: JSON.stringify(volume('seruen', 3)) },
        { value: 'not a metric batch' },
        { value: [metricBatchLine(idOf('metoo'), JSON.stringify(volume('metoo', 2))), metricBatchLine(idOf('qazaqkoktemi'), JSON.stringify(volume('qazaqkoktemi', 1)))].join('\n') },
      ]);
    } finally {
      await producer.close();
    }
    const summary = await runProcessors(config, { stages: ['sink'], untilIdle: true, env: { TAGPULSE_PSEUDONYM_KEY: TEST_PSEUDONYM_KEY } });
    expect(summary.sink).toMatchObject({ indexed: 3, deadLetters: 1 });
    await store.refresh(store.alias('metrics-volume'));
    const stored = await searchAll<VolumeMetric>(store, 'metrics-volume');
    expect(Object.fromEntries(stored.map(({ _id, posts }) => [_id, posts]))).toEqual({ [idOf('seruen')]: 3, [idOf('metoo')]: 2, [idOf('qazaqkoktemi')]: 1 });
    const letters: DeadLetter[] = [];
    await readCommittedToEnd(config, topicNames(config.kafka.topicPrefix).deadLetter, (m) => letters.push(DeadLetter.parse(JSON.parse(m.value!.toString()))));
    expect(letters).toEqual([
      expect.objectContaining({ stage: 'sink', reason: 'metric-batch', raw: 'not a metric batch', origin: expect.objectContaining({ topic, offset: expect.any(String) }) }),
    ]);
  });
});
