import { z } from 'zod';
import { ReportQuery, TimeZoneName } from './api.js';

/** Name of an environment variable that holds a secret. Secrets never live in the config file itself. */
const EnvName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as TAGPULSE_VK_TOKEN');

/** A five- or six-field cron expression, as node-cron takes it. */
const Cron = z.string().regex(/^\S+(\s+\S+){4,5}$/, 'a cron expression such as "*/15 * * * *"');

export const TagFamily = z.strictObject({
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

/** A cron expression that fires in every hour of every day: any minute (and second) fields, every other field `*`. */
function runsAtLeastHourly(cron: string): boolean {
  const fields = cron.trim().split(/\s+/);
  const [hour, dayOfMonth, month, dayOfWeek] = fields.slice(fields.length - 4);
  return ['*', '*/1'].includes(hour ?? '') && [dayOfMonth, month, dayOfWeek].every((field) => field === '*');
}

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

/**
 * Days after a matched post's creation during which its comments or replies are collected again on every run
 * (abuse arrives over days, mostly untagged); 0 visits each post's thread once, when it is found.
 */
const FollowRepliesDays = z.number().int().nonnegative();

export const SourceConfig = z.discriminatedUnion('type', [
  z.strictObject({
    ...SourceBase,
    type: z.literal('mastodon'),
    instances: z.array(z.url()).min(1).optional(),
    /**
     * For instances that show tag timelines only to logged-in accounts: the variable holding an access token of
     * an account on the instance (a read-only app token with the `read:statuses` scope), sent as
     * `Authorization: Bearer`; the source must then list that one instance. Without it, requests carry no token.
     */
    accessTokenEnv: EnvName.optional(),
  }),
  z.strictObject({
    ...SourceBase,
    type: z.literal('bluesky'),
    identifierEnv: EnvName.default('TAGPULSE_BLUESKY_IDENTIFIER'),
    appPasswordEnv: EnvName.default('TAGPULSE_BLUESKY_APP_PASSWORD'),
  }),
  z.strictObject({ ...SourceBase, type: z.literal('bluesky-jetstream') }),
  z.strictObject({ ...SourceBase, type: z.literal('telegram'), channels: z.array(z.string().min(1)).min(1) }),
  z.strictObject({
    ...SourceBase,
    type: z.literal('vk'),
    tokenEnv: EnvName.default('TAGPULSE_VK_TOKEN'),
    /** How far back the first run searches (VK's own default is only the last 24 hours). */
    backfillDays: z.number().int().positive().default(30),
    followRepliesDays: FollowRepliesDays.default(7),
  }),
  z.strictObject({
    ...SourceBase,
    type: z.literal('youtube'),
    apiKeyEnv: EnvName.default('TAGPULSE_YOUTUBE_API_KEY'),
    /** search.list calls per Pacific-time day: the project's own search.list quota bucket (100 by default). */
    searchCallsPerDay: z.number().int().positive().default(100),
    followRepliesDays: FollowRepliesDays.default(7),
  }),
  z.strictObject({
    ...SourceBase,
    type: z.literal('x'),
    bearerTokenEnv: EnvName.default('TAGPULSE_X_BEARER_TOKEN'),
    /** At most 7: recent search only reaches back seven days. */
    followRepliesDays: FollowRepliesDays.max(7).default(7),
  }),
  z.strictObject({
    ...SourceBase,
    type: z.literal('instagram'),
    /** Hashtag search shows only the last 24 hours: a slower schedule loses posts for good. */
    schedule: Cron.refine(runsAtLeastHourly, 'Instagram shows a hashtag\'s last 24 hours only: the schedule must run at least once an hour (hour, day, month and weekday fields "*"), e.g. "*/30 * * * *"').default('*/30 * * * *'),
    accessTokenEnv: EnvName.default('TAGPULSE_INSTAGRAM_TOKEN'),
    /** The Instagram professional (business or creator) account the Graph API queries on behalf of. */
    userId: z.string().regex(/^\d+$/, 'the numeric id of an Instagram professional account'),
  }),
]);
export type SourceConfig = z.infer<typeof SourceConfig>;

export const ReportConfig = z.strictObject({
  /** Names the output files: `<name>-<UTC timestamp>.<ext>`. */
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits and . _ -'),
  cron: Cron,
  /** Time zone the cron expression is read in (IANA); the query's own `tz` is separate. */
  cronTz: TimeZoneName.default('UTC'),
  /** Which export to run (`export`) and with what parameters (the same ones `tagpulse export` and the HTTP API take). */
  query: ReportQuery,
  /** csv, or json (the query's JSON answer; JSON Lines for posts). */
  format: z.enum(['csv', 'json']).default('csv'),
  outDir: z.string().min(1),
});
export type ReportConfig = z.infer<typeof ReportConfig>;

export const TagpulseConfig = z
  .strictObject({
    families: z.record(z.string(), TagFamily).default(DEFAULT_FAMILIES),
    kafka: z
      .strictObject({
        brokers: z.array(z.string().min(1)).min(1).default(['127.0.0.1:9092']),
        clientId: z.string().default('tagpulse'),
        /** Topic names are `<prefix>.posts.raw` etc.; tests use their own prefix to stay apart. */
        topicPrefix: z.string().regex(/^[a-zA-Z0-9._-]+$/).default('tagpulse'),
      })
      .prefault({}),
    search: z
      .strictObject({
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
      .strictObject({
        /** Pseudonymise author ids and handles with a keyed HMAC before storing. Turning it off is an explicit opt-out. */
        pseudonymise: z.boolean().default(true),
        keyEnv: EnvName.default('TAGPULSE_PSEUDONYM_KEY'),
      })
      .prefault({}),
    processing: z
      .strictObject({
        /** How late (event time behind the newest seen) a post may arrive and still update its window. */
        allowedLatenessMs: z.number().int().nonnegative().default(7 * 24 * 3600 * 1000),
        /**
         * Co-occurrence pairs at most this many tags of a post (its first distinct keys): pairs grow with the
         * square of the tags, so one spam post with 10,000 would make 50 million cells (docs/metrics.md#co-occurrence).
         */
        cooccurrenceMaxTags: z.number().int().min(1).max(1000).default(50),
      })
      .prefault({}),
    sources: z.array(SourceConfig).default([]),
    api: z
      .strictObject({
        port: z.number().int().min(1).max(65535).default(8080),
        host: z.string().default('127.0.0.1'),
        /** Environment variable holding the API keys, `name:role:key,...` (docs/api.md#access). */
        keysEnv: EnvName.default('TAGPULSE_API_KEYS'),
        /** Requests without a key get the public role (aggregates only); false makes every data endpoint need a key. */
        anonymous: z.boolean().default(true),
        /** Token bucket per key (per client address for anonymous requests): sustained rate and burst. */
        rateLimit: z
          .strictObject({
            perMinute: z.number().int().positive().default(120),
            burst: z.number().int().positive().default(30),
          })
          .prefault({}),
      })
      .prefault({}),
    reports: z.array(ReportConfig).default([]),
  });
export type TagpulseConfig = z.infer<typeof TagpulseConfig>;
