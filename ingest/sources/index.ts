import type { SourceConfig, TagpulseConfig } from '../../schemas/index.js';
import { createLogger, type Logger } from '../../infra/log.js';
import { systemClock, type Clock } from '../framework/clock.js';
import type { ConfiguredSource } from '../framework/collector.js';
import { HttpClient, type HttpClientOptions } from '../framework/http.js';
import type { CollectorSource, SourceContext } from '../framework/source.js';
import { createJetstreamSource } from './bluesky/jetstream-source.js';
import { createBlueskySearchSource } from './bluesky/search-source.js';
import { createInstagramSource } from './instagram/source.js';
import { createMastodonSource } from './mastodon/source.js';
import { createTelegramSource } from './telegram/source.js';
import { createVkSource } from './vk/source.js';
import { createXSource } from './x/source.js';
import { createYoutubeSource } from './youtube/source.js';

type Factory<T extends SourceConfig['type']> = (config: Extract<SourceConfig, { type: T }>, context: SourceContext) => CollectorSource;

/** Every source type with a collector. A new platform adds its folder and one line here. */
const FACTORIES: { [T in SourceConfig['type']]?: Factory<T> } = {
  mastodon: createMastodonSource,
  bluesky: createBlueskySearchSource,
  'bluesky-jetstream': createJetstreamSource,
  telegram: createTelegramSource,
  vk: createVkSource,
  x: createXSource,
  youtube: createYoutubeSource,
  instagram: createInstagramSource,
};

export function hasCollector(type: SourceConfig['type']): boolean {
  return FACTORIES[type] !== undefined;
}

/** Tags a source collects: its own `tags`, or every family name and alias of the config. */
export function collectedTags(config: TagpulseConfig, source: SourceConfig): string[] {
  return source.tags ?? Object.entries(config.families).flatMap(([name, family]) => [name, ...family.aliases]);
}

export interface SourceDependencies {
  clock?: Clock;
  log?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Overrides of the HTTP client's retry policy (tests make backoff deterministic with `random`). */
  http?: Omit<HttpClientOptions, 'timeoutMs' | 'clock' | 'log'>;
}

/** The configured source with its collector, HTTP client and settings; throws for a type without a collector. */
export function createSource(config: TagpulseConfig, source: SourceConfig, dependencies: SourceDependencies = {}): ConfiguredSource {
  const factory = FACTORIES[source.type] as Factory<typeof source.type> | undefined;
  if (!factory) throw new Error(`source ${source.name}: no collector for type ${source.type} yet`);
  const clock = dependencies.clock ?? systemClock;
  const log = (dependencies.log ?? createLogger('collect')).child(source.name);
  const context: SourceContext = {
    http: new HttpClient({ ...dependencies.http, timeoutMs: source.timeoutMs, clock, log }),
    clock,
    log,
    tags: collectedTags(config, source),
    env: dependencies.env ?? process.env,
  };
  return { source: factory(source, context), schedule: source.schedule, maxPages: source.maxPages };
}
