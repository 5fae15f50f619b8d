import type { Admin, ITopicConfig } from 'kafkajs';
import type { BootstrapChange } from '../store/bootstrap.js';

const DAY_MS = 24 * 3600 * 1000;

export interface TopicSpec {
  /** Name after the prefix: `<prefix>.<suffix>`. */
  suffix: string;
  partitions: number;
  config: Record<string, string>;
  /** Why these numbers (printed in docs/data-model.md). */
  why: string;
}

const compacted = { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': String(60_000) };

/**
 * Every topic Tagpulse uses, created by `tagpulse init` before any consumer subscribes (the broker never auto-creates).
 * Partition counts follow this project's scale (one node, two cores: three lets the processors run three consumers);
 * all keyed topics are keyed so that one post or one metric key always lands on one partition.
 */
export const TOPICS: TopicSpec[] = [
  {
    suffix: 'posts.raw',
    partitions: 3,
    config: { 'cleanup.policy': 'delete', 'retention.ms': String(14 * DAY_MS), 'max.message.bytes': String(16 * 1024 * 1024) },
    why: 'Raw envelopes keyed platform:id. The only place with clear author ids, so kept 14 days: enough to replay after a processor fault, short enough not to become an archive of identities. 16 MiB messages so one oversized post reaches the dead-letter path instead of failing the producer.',
  },
  {
    suffix: 'posts.normalised',
    partitions: 3,
    config: { ...compacted, 'retention.ms': '-1', 'max.message.bytes': String(16 * 1024 * 1024) },
    why: 'Normalised, pseudonymised posts keyed by post id; compacted so it holds the latest version of every post forever and can rebuild the posts index.',
  },
  {
    suffix: 'deadletter',
    partitions: 1,
    config: { 'cleanup.policy': 'delete', 'retention.ms': String(30 * DAY_MS), 'max.message.bytes': String(16 * 1024 * 1024) },
    why: 'Everything that could not be parsed or processed, with its reason and raw input; 30 days to inspect and replay.',
  },
  ...['volume', 'cooccurrence', 'abuse'].map(
    (metric): TopicSpec => ({
      suffix: `metrics.${metric}`,
      partitions: 3,
      config: { 'cleanup.policy': 'delete', 'retention.ms': String(30 * DAY_MS) },
      why:
        `Metric batches of the ${metric} metric: the documents of the cells one transaction changed, each cell always on the partition its id hashes to. ` +
        'Carried to the search engine, which holds the metrics; 30 days for a sink that was stopped to catch up (metric indices lost beyond that can only be recomputed from the normalised topic).',
    }),
  ),
  {
    suffix: 'metrics.late',
    partitions: 3,
    config: { ...compacted, 'retention.ms': '-1' },
    why: 'Late-data documents keyed late|<post id>; compacted: the latest of each post wins, forever.',
  },
  {
    suffix: 'state.changelog',
    partitions: 3,
    config: { ...compacted, 'retention.ms': '-1' },
    why: 'Window-store changelog of the stream processors (one partition per input partition); compacted, restored on start.',
  },
  {
    suffix: 'collector.cursors',
    partitions: 1,
    config: { ...compacted, 'retention.ms': '-1' },
    why: 'Durable collector cursors keyed by source and query, written in the same transaction as the posts they follow.',
  },
];

export function topicName(prefix: string, spec: TopicSpec): string {
  return `${prefix}.${spec.suffix}`;
}

/**
 * The largest record batch a topic takes (its `max.message.bytes`, which `tagpulse init` sets and keeps), for
 * producers that check each message before sending: one over it would make the broker refuse the whole request.
 */
export function topicMaxMessageBytes(suffix: string, specs: readonly TopicSpec[] = TOPICS): number {
  const configured = specs.find((spec) => spec.suffix === suffix)?.config['max.message.bytes'];
  // The broker's own default (message.max.bytes) for a topic without an override.
  return configured ? Number(configured) : 1024 * 1024 + 12;
}

/** Topic names by suffix, for code that produces or consumes. */
export function topicNames(prefix: string) {
  return {
    raw: `${prefix}.posts.raw`,
    normalised: `${prefix}.posts.normalised`,
    deadLetter: `${prefix}.deadletter`,
    volume: `${prefix}.metrics.volume`,
    cooccurrence: `${prefix}.metrics.cooccurrence`,
    abuse: `${prefix}.metrics.abuse`,
    late: `${prefix}.metrics.late`,
    changelog: `${prefix}.state.changelog`,
    cursors: `${prefix}.collector.cursors`,
  };
}

/**
 * Creates missing topics, grows partition counts that are too small (never shrinks: Kafka cannot), and
 * rewrites configs that drifted. A second run changes nothing and says so.
 */
export async function ensureTopics(admin: Admin, prefix: string, specs: readonly TopicSpec[] = TOPICS): Promise<BootstrapChange[]> {
  const existing = new Set(await admin.listTopics());
  const changes: BootstrapChange[] = [];
  const missing: ITopicConfig[] = specs
    .filter((spec) => !existing.has(topicName(prefix, spec)))
    .map((spec) => ({
      topic: topicName(prefix, spec),
      numPartitions: spec.partitions,
      replicationFactor: 1,
      configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
    }));
  if (missing.length > 0) {
    await admin.createTopics({ topics: missing, waitForLeaders: true });
    for (const t of missing) changes.push({ target: `topic ${t.topic}`, action: 'created', detail: `${t.numPartitions} partitions` });
  }
  const present = specs.filter((spec) => existing.has(topicName(prefix, spec)));
  if (present.length === 0) return changes;
  const metadata = await admin.fetchTopicMetadata({ topics: present.map((s) => topicName(prefix, s)) });
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map((s) => ({ type: 2 /* TOPIC */, name: topicName(prefix, s), configNames: Object.keys(s.config) })),
  });
  for (const spec of present) {
    const name = topicName(prefix, spec);
    const notes: string[] = [];
    const partitions = metadata.topics.find((t) => t.name === name)?.partitions.length ?? 0;
    if (partitions < spec.partitions) {
      await admin.createPartitions({ topicPartitions: [{ topic: name, count: spec.partitions }] });
      notes.push(`partitions ${partitions} → ${spec.partitions}`);
    }
    const actual = new Map(
      configs.resources.find((r) => r.resourceName === name)?.configEntries.map((e) => [e.configName, e.configValue]) ?? [],
    );
    const drifted = Object.entries(spec.config).filter(([key, value]) => actual.get(key) !== value);
    if (drifted.length > 0) {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: 2, name, configEntries: Object.entries(spec.config).map(([n, value]) => ({ name: n, value })) }],
      });
      notes.push(`config ${drifted.map(([k, v]) => `${k}=${v}`).join(', ')}`);
    }
    changes.push({ target: `topic ${name}`, action: notes.length ? 'updated' : 'unchanged', detail: notes.join('; ') || undefined });
  }
  return changes;
}
