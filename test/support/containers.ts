import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';

export const KAFKA_IMAGE = 'apache/kafka:3.9.1';
export const OPENSEARCH_IMAGE = 'opensearchproject/opensearch:2.19.1';

/**
 * The same stack as the local one, in containers, for machines with a Docker engine (TAGPULSE_TEST_STACK=containers).
 * Kafka advertises the mapped port, which is only known after start, so its listener uses a fixed host port.
 */
export async function startContainerStack(): Promise<{ kafkaBroker: string; searchNode: string; stop: () => Promise<void> }> {
  const kafkaPort = Number(process.env.TAGPULSE_TEST_KAFKA_PORT ?? 29092);
  const kafka: StartedTestContainer = await new GenericContainer(KAFKA_IMAGE)
    .withExposedPorts({ container: 9092, host: kafkaPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${kafkaPort}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  const search = await new GenericContainer(OPENSEARCH_IMAGE)
    .withExposedPorts(9200)
    .withEnvironment({ 'discovery.type': 'single-node', DISABLE_SECURITY_PLUGIN: 'true', OPENSEARCH_JAVA_OPTS: '-Xms1g -Xmx1g' })
    .withWaitStrategy(Wait.forHttp('/_cluster/health?wait_for_status=yellow', 9200))
    .start();
  return {
    kafkaBroker: `127.0.0.1:${kafkaPort}`,
    searchNode: `http://${search.getHost()}:${search.getMappedPort(9200)}`,
    stop: async () => {
      await search.stop();
      await kafka.stop();
    },
  };
}
