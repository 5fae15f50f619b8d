import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserFacingError } from '../../cli/command.js';
import { probeApiVersions } from '../kafka/api-versions.js';
import { createKafka } from '../kafka/client.js';
import type { TagpulseConfig } from '../../schemas/index.js';
import { parseHostPort, portInUse, type StackComponent } from './component.js';
import { markerArgs, startDetached } from './processes.js';
import { requireJava, resolveJars } from './toolchain.js';

export const KAFKA_VERSION = '3.9.1';
const HEAP = ['-Xms512m', '-Xmx512m'];

/**
 * A KRaft cluster id: 16 random bytes in base64url, as Kafka's own `Uuid.randomUuid` makes them, and like it
 * never one that starts with '-' (1 draw in 64 would), which the storage tool's argument parser reads as an option.
 */
export function newClusterId(draw: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = draw(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * Single-node KRaft broker+controller. The controller listens on the broker port + 1.
 * Settings are for one node on a small machine: replication factor 1 everywhere, no auto-created topics
 * (every topic comes from `tagpulse init`, so a typo never silently creates one).
 */
function serverProperties(dataDir: string, host: string, port: number): string {
  return `# Written by tagpulse stack up; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${host}:${port + 1}
listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${port + 1}
advertised.listeners=PLAINTEXT://${host}:${port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${dataDir}
num.partitions=3
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
`;
}

const LOG4J = `log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
`;

export function kafkaComponent(config: TagpulseConfig): StackComponent {
  const address = config.kafka.brokers[0]!;
  const { host, port } = parseHostPort(address, 'kafka.brokers[0]');
  const admin = () => createKafka(config.kafka, 'stack').admin();

  return {
    name: 'kafka',
    address,
    async probe() {
      if (!(await portInUse(host, port))) return undefined;
      let versions;
      try {
        versions = await probeApiVersions(host, port);
      } catch {
        throw new UserFacingError(
          `port ${port} on ${host} is taken by something that is not a Kafka broker; stop it, or point kafka.brokers in the config at a free port`,
        );
      }
      const client = admin();
      await client.connect();
      try {
        const cluster = await client.describeCluster();
        return {
          clusterId: cluster.clusterId,
          brokers: cluster.brokers.length,
          controller: cluster.controller,
          brokerVersion: versions.supportedMetadataVersion?.release.replace(/-IV\d+$/, ''),
          supportedMetadataVersion: versions.supportedMetadataVersion?.release,
          finalizedMetadataVersion: versions.finalizedMetadataVersion?.release,
          apiKeys: versions.apiKeys,
        };
      } finally {
        await client.disconnect();
      }
    },
    async start(home) {
      const java = requireJava();
      const jars = resolveJars({ name: 'kafka', version: KAFKA_VERSION });
      if (await portInUse(host, port + 1)) {
        throw new UserFacingError(`port ${port + 1} (the Kafka controller port, broker port + 1) is taken; free it or move kafka.brokers`);
      }
      const dir = join(home, 'kafka');
      const dataDir = join(dir, 'data');
      mkdirSync(dataDir, { recursive: true });
      const properties = join(dir, 'server.properties');
      writeFileSync(properties, serverProperties(dataDir, host, port));
      writeFileSync(join(dir, 'log4j.properties'), LOG4J);
      const classpath = ['-cp', `${jars}/*`, `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`];
      if (!existsSync(join(dataDir, 'meta.properties'))) {
        const clusterId = newClusterId();
        const format = spawnSync(java, [...classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties], {
          encoding: 'utf8',
        });
        if (format.status !== 0) throw new UserFacingError(`Kafka storage format failed: ${format.stderr || format.stdout}`);
      }
      startDetached(
        home,
        'kafka',
        java,
        [...HEAP, ...markerArgs(home, 'kafka'), ...classpath, 'kafka.Kafka', properties],
        this.logFile(home),
        dir,
      );
    },
    logFile: (home) => join(home, 'kafka', 'kafka.log'),
    async ready() {
      if (!(await portInUse(host, port))) return false;
      const client = admin();
      await client.connect();
      try {
        const cluster = await client.describeCluster();
        return cluster.brokers.length > 0 && cluster.controller !== null;
      } finally {
        await client.disconnect();
      }
    },
  };
}
