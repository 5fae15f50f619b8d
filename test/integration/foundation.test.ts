import { describe, expect, it } from 'vitest';
import { KAFKA_VERSION } from '../../infra/local/kafka-node.js';
import { stackStatus } from '../../infra/local/stack.js';
import { initialise } from '../../infra/init.js';
import { openStore } from '../../infra/store/open.js';
import { ensureIndices } from '../../infra/store/bootstrap.js';
import { POSTS_INDEX, type IndexDefinition } from '../../infra/store/indices.js';
import { topicNames } from '../../infra/kafka/topics.js';
import { openKafkaSink } from '../../ingest/kafka-sink.js';
import { RawEnvelope, type RawEnvelope as RawEnvelopeType } from '../../schemas/index.js';
import { initialisedConfig, isolatedConfig } from '../support/config.js';
import { readTopic } from '../support/kafka.js';

describe('local stack', () => {
  it('reports the versions the real servers give', async () => {
    const status = await stackStatus(isolatedConfig());
    expect(status.kafka!.running).toBe(true);
    expect(status.kafka!.details.brokerVersion).toBe(KAFKA_VERSION.split('.').slice(0, 2).join('.'));
    expect(status.kafka!.details.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(status.search!.running).toBe(true);
    expect(status.search!.details).toMatchObject({ engine: 'opensearch', version: expect.stringMatching(/^2\.19\./) });
  });
});

describe('tagpulse init', () => {
  it('creates every topic and index once, and a second run changes nothing', async () => {
    const config = isolatedConfig();
    const first = await initialise(config);
    expect(first.filter((c) => c.action === 'created').length).toBeGreaterThan(0);
    expect(first.every((c) => c.action === 'created')).toBe(true);
    const second = await initialise(config);
    expect(second.map((c) => c.action)).toEqual(second.map(() => 'unchanged'));
    expect(second.map((c) => c.target)).toEqual(first.map((c) => c.target));
  });

  it('migrates an index to a new version by reindexing, keeping every document', async () => {
    const config = await initialisedConfig();
    const store = await openStore(config);
    try {
      const alias = store.alias('posts');
      await store.bulk([
        { index: alias, id: 'x:1', document: { id: 'x:1', text: 'сақтау керек' } },
        // As a posts index before v2 stored it: the thread as a bare platform id.
        { index: alias, id: 'x:2', document: { id: 'x:2', platform: 'x', threadId: '1', text: 'жауап' } },
      ]);
      const next = POSTS_INDEX.version + 1;
      const v2: IndexDefinition = {
        ...POSTS_INDEX,
        version: next,
        mappings: {
          ...POSTS_INDEX.mappings,
          properties: { ...(POSTS_INDEX.mappings.properties as object), addedInV2: { type: 'keyword' } },
        },
      };
      const changes = await ensureIndices(store, [v2]);
      expect(changes.find((c) => c.target === `index ${alias}`)).toMatchObject({ action: 'migrated' });
      expect(await store.count(alias)).toBe(2);
      expect(Object.keys(await store.transport.request('GET', `/_alias/${alias}`))).toEqual([`${alias}-v${next}`]);
      // The posts migration's script qualifies a bare thread id, and leaves documents without one alone.
      const migrated = await store.transport.request<{ docs: Array<{ _id: string; _source: Record<string, unknown> }> }>('POST', `/${alias}/_mget`, { body: { ids: ['x:1', 'x:2'] } });
      expect(migrated.docs.map((d) => [d._id, d._source.threadId])).toEqual([['x:1', undefined], ['x:2', 'x:1']]);
      expect((await ensureIndices(store, [v2])).every((c) => c.action === 'unchanged')).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('refuses a changed definition that kept its version, naming what to do', async () => {
    const config = await initialisedConfig();
    const store = await openStore(config);
    try {
      const drifted: IndexDefinition = { ...POSTS_INDEX, settings: { ...POSTS_INDEX.settings, refresh_interval: '5s' } };
      await expect(ensureIndices(store, [drifted])).rejects.toThrow(/bump its version/);
    } finally {
      await store.close();
    }
  });
});

function envelope(i: number): RawEnvelopeType {
  return RawEnvelope.parse({
    schema: 'tagpulse.raw/1',
    source: 'test',
    platform: 'mastodon',
    platformId: String(i),
    collectedAt: '2026-03-08T10:00:00Z',
    item: { text: `Пост ${i} #менояндым 🌷`, createdAt: '2026-03-08T09:00:00+05:00', tags: ['менояндым'] },
    payload: { id: String(i) },
  });
}

describe('Kafka through the real broker', () => {
  it('the ingest sink writes envelopes keyed platform:id that a consumer reads back intact', async () => {
    const config = await initialisedConfig();
    const sink = await openKafkaSink(config);
    const sent = Array.from({ length: 50 }, (_, i) => envelope(i));
    try {
      await sink.send(sent);
    } finally {
      await sink.close();
    }
    const messages = await readTopic(config, topicNames(config.kafka.topicPrefix).raw, 50);
    const byKey = new Map(messages.map((m) => [m.key!.toString(), RawEnvelope.parse(JSON.parse(m.value!.toString()))]));
    expect(byKey.size).toBe(50);
    expect(byKey.get('mastodon:7')).toEqual(sent[7]);
  });
});

describe('the search store against the real engine', () => {
  it('analyses Russian and Kazakh text so inflected forms are found', async () => {
    const config = await initialisedConfig();
    const store = await openStore(config);
    try {
      const alias = store.alias('posts');
      await store.bulk([
        { index: alias, id: 'a', document: { id: 'a', text: 'Девушки вышли на митинги в Алматы' } },
        { index: alias, id: 'b', document: { id: 'b', text: 'Әйелдер құқықтары үшін шеруге шықты' } },
        { index: alias, id: 'c', document: { id: 'c', text: 'Women marched for their rights' } },
      ]);
      await store.refresh(alias);
      const find = async (query: string) => {
        const response = await store.search<{ id: string }>(alias, {
          query: { multi_match: { query, fields: ['text', 'text.ru', 'text.kk', 'text.en'] } },
        });
        return response.hits.hits.map((h) => h._id).sort();
      };
      expect(await find('митинг')).toEqual(['a']);
      expect(await find('девушка')).toEqual(['a']);
      expect(await find('әйел')).toEqual(['b']);
      expect(await find('құқық')).toEqual(['b']);
      expect(await find('right')).toEqual(['c']);
    } finally {
      await store.close();
    }
  });

  it('writes idempotently: a deterministic id is one document, and a stale version loses', async () => {
    const config = await initialisedConfig();
    const store = await openStore(config);
    try {
      const alias = store.alias('metrics-volume');
      const doc = (posts: number) => ({
        schema: 'tagpulse.volume/1',
        windowStart: '2026-03-08T04:00:00Z',
        tag: 'menoiandym',
        platform: 'vk',
        lang: 'kk',
        posts,
        authors: 1,
      });
      expect((await store.bulk([{ index: alias, id: 'w1', document: doc(5), version: 2 }])).failed).toEqual([]);
      const replay = await store.bulk([{ index: alias, id: 'w1', document: doc(3), version: 1 }]);
      expect(replay.stale).toBe(1);
      expect(replay.failed).toEqual([]);
      await store.refresh(alias);
      const hits = await store.search<{ posts: number }>(alias, { query: { match_all: {} } });
      expect(hits.hits.hits.map((h) => h._source.posts)).toEqual([5]);
    } finally {
      await store.close();
    }
  });

  it('pages a point-in-time with search_after', async () => {
    const config = await initialisedConfig();
    const store = await openStore(config);
    try {
      const alias = store.alias('posts');
      await store.bulk(
        Array.from({ length: 25 }, (_, i) => ({ index: alias, id: `p${i}`, document: { id: `p${i}`, createdAt: new Date(Date.UTC(2026, 2, 8, 0, i)).toISOString() } })),
      );
      await store.refresh(alias);
      const pit = await store.openPointInTime(alias);
      const seen: string[] = [];
      let after: unknown[] | undefined;
      for (;;) {
        const page = await store.search<{ id: string }>(undefined, {
          size: 10,
          pit: { id: pit, keep_alive: '1m' },
          sort: [{ createdAt: 'asc' }, { id: 'asc' }],
          ...(after ? { search_after: after } : {}),
        });
        if (page.hits.hits.length === 0) break;
        seen.push(...page.hits.hits.map((h) => h._id));
        after = page.hits.hits.at(-1)!.sort;
      }
      await store.closePointInTime(pit);
      expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `p${i}`));
    } finally {
      await store.close();
    }
  });
});
