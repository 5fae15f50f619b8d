import { topicNames } from '../infra/kafka/topics.js';
import type { TagpulseConfig } from '../schemas/index.js';
import { classify } from './abuse/classify.js';
import { abuseMetric } from './metrics/abuse.js';
import { createCooccurrenceMetric } from './metrics/cooccurrence.js';
import type { WindowedMetric } from './metrics/metric.js';
import { volumeMetric } from './metrics/volume.js';
import { TagFamilies } from './normalise/families.js';
import { createPseudonymiser } from './normalise/pseudonymise.js';
import type { StreamProcessor } from './runtime/processor.js';
import type { SinkRoute } from './sink/search-sink.js';
import { MetricsProcessor } from './stages/metrics.js';
import { NormaliseProcessor } from './stages/normalise.js';

/** The stages `tagpulse process` runs, upstream first. */
export const STAGE_NAMES = ['normalise', 'metrics', 'sink'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/**
 * The windowed metrics of the metrics stage, with the configured limits (`processing.cooccurrenceMaxTags`).
 * A new metric is one more entry (see processors/metrics/metric.ts).
 */
export function windowedMetrics(processing: TagpulseConfig['processing']): readonly WindowedMetric<unknown>[] {
  return [volumeMetric, createCooccurrenceMetric(processing.cooccurrenceMaxTags), abuseMetric];
}

/** An exactly-once stage: its input topic, and its processor, built for the partition counts of `partitioned`. */
export interface StreamStage {
  name: StageName;
  input: string;
  /** The topics whose partition counts the processor needs: its input, and outputs it partitions itself. */
  partitioned: string[];
  create(partitions: ReadonlyMap<string, number>): StreamProcessor;
}

export interface Topology {
  /** Upstream first. */
  streams: StreamStage[];
  sink?: { routes: SinkRoute[] };
}

/**
 * The processors, wired:
 *
 *   posts.raw ──normalise──▶ posts.normalised ──metrics──▶ metrics.volume, metrics.cooccurrence,
 *       │                         │      │                  metrics.abuse, metrics.late
 *       └──────▶ deadletter ◀─────┼──────┘                          │
 *                                 └─────────────sink────────────────┴──▶ search engine: posts, metrics-*
 *
 * normalise and metrics are exactly-once stream processors (processors/runtime/transactional-stage.ts) with
 * their state in `state.changelog`; sink writes idempotently (processors/sink/search-sink.ts).
 * Only the stages named are built; normalise refuses to be built without the pseudonymisation key, before
 * anything connects.
 */
export function buildTopology(config: TagpulseConfig, stages: readonly StageName[], env: NodeJS.ProcessEnv = process.env): Topology {
  const topics = topicNames(config.kafka.topicPrefix);
  const { allowedLatenessMs } = config.processing;
  const streams: StreamStage[] = [];
  if (stages.includes('normalise')) {
    const dependencies = { pseudonymiser: createPseudonymiser(config.privacy, env), families: new TagFamilies(config.families), classify };
    streams.push({
      name: 'normalise',
      input: topics.raw,
      partitioned: [topics.raw],
      create: (partitions) => new NormaliseProcessor({ topics, partitions: partitions.get(topics.raw)!, allowedLatenessMs, dependencies }),
    });
  }
  if (stages.includes('metrics')) {
    streams.push({
      name: 'metrics',
      input: topics.normalised,
      partitioned: [topics.normalised, topics.volume, topics.cooccurrence, topics.abuse],
      create: (partitions) =>
        new MetricsProcessor({
          topics,
          partitions: partitions.get(topics.normalised)!,
          metricPartitions: (topic) => partitions.get(topic)!,
          allowedLatenessMs,
          metrics: windowedMetrics(config.processing),
        }),
    });
  }
  const sink: Topology['sink'] = stages.includes('sink')
    ? {
        routes: [
          { topic: topics.normalised, index: 'posts' },
          { topic: topics.volume, index: 'metrics-volume' },
          { topic: topics.cooccurrence, index: 'metrics-cooccurrence' },
          { topic: topics.abuse, index: 'metrics-abuse' },
          { topic: topics.late, index: 'metrics-late' },
        ],
      }
    : undefined;
  return { streams, sink };
}
