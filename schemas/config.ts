import { z } from 'zod';

/** Name of an environment variable that holds a secret. Secrets never live in the config file itself. */
const EnvName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as TAGPULSE_VK_TOKEN');

/** A five- or six-field cron expression, as node-cron takes it. */
const Cron = z.string().regex(/^\S+(\s+\S+){4,5}$/, 'a cron expression such as "*/15 * * * *"');

export const TagFamily = z.object({
  /** Spellings that belong to the family beyond what canonicalisation unites (translations, e.g. #янебоюсьсказать for metoo). */
  aliases: z.array(z.string()).default([]),
  description: z.string().optional(),
});
export type TagFamily = z.infer<typeof TagFamily>;

export const DEFAULT_FAMILIES: Record<string, TagFamily> = {
  qazaqkoktemi: { aliases: [], description: 'Kazakh spring' },
  menoiandym: { aliases: [], description: 'I woke up' },
  seruen: { aliases: [], description: 'walk' },
  otpravdyneubezhish: { aliases: [], description: "you can't run from the truth" },
  metoo: { aliases: [], description: '#MeToo' },
};

const SourceBase = {
  /** Unique name of this source instance; also the cursor's key. */
  name: z.string().regex(/^[a-z0-9][a-z0-9._:-]*$/, 'lowercase letters, digits and . _ : -'),
  enabled: z.boolean().default(true),
  /** When to poll (node-cron); streaming sources ignore it. */
  schedule: Cron.default('*/15 * * * *'),
  /** Overrides the platform's API address (a self-hosted instance, a proxy, or a test server). */
  baseUrl: z.url().optional(),
  /** Tags to collect; default: every family name and alias. */
  tags: z.array(z.string()).optional(),
  /** Per-request timeout. */
  timeoutMs: z.number().int().positive().default(30_000),
  /** Stop paging back after this many pages per run (a guard against a runaway backfill). */
  maxPages: z.number().int().positive().default(100),
};

export const SourceConfig = z.discriminatedUnion('type', [
  z.object({ ...SourceBase, type: z.literal('mastodon'), instances: z.array(z.url()).min(1).optional() }),
  z.object({
    ...SourceBase,
    type: z.literal('bluesky'),
    identifierEnv: EnvName.default('TAGPULSE_BLUESKY_IDENTIFIER'),
    appPasswordEnv: EnvName.default('TAGPULSE_BLUESKY_APP_PASSWORD'),
  }),
  z.object({ ...SourceBase, type: z.literal('bluesky-jetstream') }),
  z.object({ ...SourceBase, type: z.literal('telegram'), channels: z.array(z.string().min(1)).min(1) }),
  z.object({ ...SourceBase, type: z.literal('vk'), tokenEnv: EnvName.default('TAGPULSE_VK_TOKEN') }),
  z.object({ ...SourceBase, type: z.literal('youtube'), apiKeyEnv: EnvName.default('TAGPULSE_YOUTUBE_API_KEY') }),
  z.object({ ...SourceBase, type: z.literal('x'), bearerTokenEnv: EnvName.default('TAGPULSE_X_BEARER_TOKEN') }),
  z.object({
    ...SourceBase,
    type: z.literal('instagram'),
    accessTokenEnv: EnvName.default('TAGPULSE_INSTAGRAM_TOKEN'),
    userId: z.string().min(1),
  }),
]);
export type SourceConfig = z.infer<typeof SourceConfig>;

export const ReportConfig = z.object({
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits and . _ -'),
  cron: Cron,
  /** Which export to run and with what parameters (the same ones the CLI's `export` takes). */
  query: z.record(z.string(), z.unknown()),
  format: z.enum(['csv', 'json']).default('csv'),
  outDir: z.string().min(1),
});

export const TagpulseConfig = z
  .object({
    families: z.record(z.string(), TagFamily).default(DEFAULT_FAMILIES),
    kafka: z
      .object({
        brokers: z.array(z.string().min(1)).min(1).default(['127.0.0.1:9092']),
        clientId: z.string().default('tagpulse'),
        /** Topic names are `<prefix>.posts.raw` etc.; tests use their own prefix to stay apart. */
        topicPrefix: z.string().regex(/^[a-zA-Z0-9._-]+$/).default('tagpulse'),
      })
      .prefault({}),
    search: z
      .object({
        node: z.url().default('http://127.0.0.1:9200'),
        /** `auto` asks the server (`GET /`) which engine it is. */
        engine: z.enum(['auto', 'opensearch', 'elasticsearch']).default('auto'),
        usernameEnv: EnvName.optional(),
        passwordEnv: EnvName.optional(),
        apiKeyEnv: EnvName.optional(),
        indexPrefix: z.string().regex(/^[a-z0-9._-]+$/).default('tagpulse'),
      })
      .prefault({}),
    privacy: z
      .object({
        /** Pseudonymise author ids and handles with a keyed HMAC before storing. Turning it off is an explicit opt-out. */
        pseudonymise: z.boolean().default(true),
        keyEnv: EnvName.default('TAGPULSE_PSEUDONYM_KEY'),
      })
      .prefault({}),
    processing: z
      .object({
        /** How late (event time behind the newest seen) a post may arrive and still update its window. */
        allowedLatenessMs: z.number().int().nonnegative().default(7 * 24 * 3600 * 1000),
      })
      .prefault({}),
    sources: z.array(SourceConfig).default([]),
    api: z
      .object({
        port: z.number().int().min(1).max(65535).default(8080),
        host: z.string().default('127.0.0.1'),
      })
      .prefault({}),
    reports: z.array(ReportConfig).default([]),
  })
  .strict();
export type TagpulseConfig = z.infer<typeof TagpulseConfig>;
