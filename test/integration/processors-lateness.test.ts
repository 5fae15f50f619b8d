import { describe, expect, it } from 'vitest';
import { openStore } from '../../infra/store/open.js';
import { openKafkaSink } from '../../ingest/kafka-sink.js';
import { runProcessors } from '../../processors/run.js';
import { STAGE_NAMES } from '../../processors/topology.js';
import type { LateDataMetric, RawEnvelope, TagpulseConfig, VolumeMetric } from '../../schemas/index.js';
import { initialisedConfig } from '../support/config.js';
import { countDocuments, partitionOf, searchAll } from '../support/pipeline.js';
import { rawEnvelope, TEST_PSEUDONYM_KEY } from '../support/processors.js';

const env = { TAGPULSE_PSEUDONYM_KEY: TEST_PSEUDONYM_KEY };
const minute = (m: number, s = 0) => new Date(Date.UTC(2026, 2, 8, 10, m, s)).toISOString();

/** The first `count` platform ids `<prefix>-<n>` whose posts land on this partition (murmur2 of `mastodon:<id>`). */
function idsOnPartition(partition: number, prefix: string, count: number): string[] {
  const ids: string[] = [];
  for (let n = 0; ids.length < count; n++) if (partitionOf(`mastodon:${prefix}-${n}`) === partition) ids.push(`${prefix}-${n}`);
  return ids;
}

async function send(config: TagpulseConfig, envelopes: RawEnvelope[]): Promise<void> {
  const sink = await openKafkaSink(config);
  await sink.send(envelopes);
  await sink.close();
}

describe('late data, on the real stack', () => {
  it('updates a window up to the allowed lateness, counts later posts as late, and evicts closed windows', async () => {
    const config = await initialisedConfig({ processing: { allowedLatenessMs: 10 * 60_000 } });
    // The lateness of a post is judged against its own partition's watermark, so the story happens on one partition.
    const [first, second, withinLateness, ahead, tooLate] = idsOnPartition(0, 'late', 5) as [string, string, string, string, string];
    const seruen = (id: string, createdAt: string, source = 'test') => rawEnvelope(id, { text: 'Біз бірге #seruen', createdAt }, { source });

    await send(config, [
      seruen(first, minute(0)),
      seruen(second, minute(8)),
      // 8 minutes behind the watermark, within the 10 allowed: its window (10:00) is updated.
      seruen(withinLateness, minute(0, 40)),
      seruen(ahead, minute(30)),
      // The other partitions reach 10:30 too, so windows up to 10:20 are closed everywhere and evicted.
      ...[1, 2].map((p) => rawEnvelope(idsOnPartition(p, 'clock', 1)[0]!, { text: '#clock', createdAt: minute(30) })),
    ]);
    const before = await runProcessors(config, { stages: STAGE_NAMES, untilIdle: true, env });
    expect(before.metrics).toMatchObject({ counted: 6, late: 0, duplicates: 0 });

    // A restart later (state restored from the changelog): a post 25 minutes behind, twice, and a copy of the
    // first post, whose window was evicted: a copy the stream can no longer recognise counts as late.
    await send(config, [seruen(tooLate, minute(5)), seruen(tooLate, minute(5), 'other'), seruen(first, minute(0), 'other')]);
    const after = await runProcessors(config, { stages: STAGE_NAMES, untilIdle: true, env });
    expect(after.metrics).toMatchObject({ posts: 3, counted: 0, late: 3, duplicates: 0 });

    const store = await openStore(config);
    try {
      const volume = await searchAll<VolumeMetric>(store, 'metrics-volume', { term: { tag: 'seruen' } });
      expect(Object.fromEntries(volume.map((d) => [d.windowStart, d.posts]))).toEqual({ [minute(0)]: 2, [minute(8)]: 1, [minute(30)]: 1 });
      const late = await searchAll<LateDataMetric>(store, 'metrics-late');
      expect(late.map(({ _id, ...doc }) => [_id, doc]).sort()).toEqual([
        [`late|mastodon:${first}`, { schema: 'tagpulse.late/1', windowStart: minute(0), platform: 'mastodon', tags: ['seruen'], posts: 1, updatedAt: '2026-03-08T12:00:00.000Z' }],
        [`late|mastodon:${tooLate}`, { schema: 'tagpulse.late/1', windowStart: minute(5), platform: 'mastodon', tags: ['seruen'], posts: 1, updatedAt: '2026-03-08T12:00:00.000Z' }],
      ]);
      // Every post is in the posts index, late or not: only the windows refuse late posts.
      expect(await countDocuments(store, 'posts')).toBe(7);
    } finally {
      await store.close();
    }
  });
});
