import { loadConfig } from '../../infra/config.js';
import { runProcessors, type RunSummary } from '../../processors/run.js';
import { STAGE_NAMES, type StageName } from '../../processors/topology.js';
import { UsageError, type Command } from '../command.js';

function parseStages(value: unknown): StageName[] {
  if (value === undefined) return [...STAGE_NAMES];
  const names = String(value)
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(STAGE_NAMES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new UsageError(`--stages takes a comma-separated list of ${STAGE_NAMES.join(', ')} (got ${JSON.stringify(value)})`);
  }
  return STAGE_NAMES.filter((name) => names.includes(name));
}

/** What each stage did, one line per stage, counts by name (e.g. `metrics  posts 120  counted 117  late 1 …`). */
export function formatSummary(summary: RunSummary): string {
  const width = Math.max(...Object.keys(summary).map((stage) => stage.length));
  return Object.entries(summary)
    .map(([stage, counts]) => {
      const fields = Object.entries(counts ?? {}).map(([name, value]) => `${name} ${value}`);
      return `${stage.padEnd(width)}  ${fields.length ? fields.join('  ') : 'nothing to do'}\n`;
    })
    .join('');
}

export const processCommand: Command = {
  path: ['process'],
  summary: 'Run the stream processors: normalise, metrics and the search-engine sink',
  help: `Usage: tagpulse process [--until-idle] [--stages normalise,metrics,sink]

Runs the stream processors until Ctrl-C:
  normalise  posts.raw → posts.normalised: hashtags, canonical tags, families, language, pseudonymised
             authors, abuse verdict; unreadable input → deadletter
  metrics    posts.normalised → metrics.volume, .cooccurrence, .abuse, .late: one-minute event-time
             windows, each post counted once (docs/metrics.md)
  sink       posts.normalised and metrics.* → the search engine's posts and metrics-* indices
normalise and metrics process exactly once (Kafka transactions, state restored from state.changelog);
the sink writes idempotently. A crash or a kill loses and duplicates nothing: the next start resumes from
what was committed. Each stage runs in a worker thread of its own. Run each stage in one process only
(a second one fences the first).

Options:
  --until-idle     exit 0 once every input partition of every stage is read to its end, printing what
                   each stage did
  --stages LIST    only these stages (default: all three)

Needs the pseudonymisation key in the environment (privacy.keyEnv, default TAGPULSE_PSEUDONYM_KEY) to run
normalise, unless the config sets privacy.pseudonymise to false.
`,
  options: { 'until-idle': { type: 'boolean' }, stages: { type: 'string' } },
  async run({ values, io }) {
    const config = loadConfig(values.config as string | undefined);
    const stages = parseStages(values.stages);
    const untilIdle = values['until-idle'] === true;
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      if (!untilIdle) io.stderr.write(`processing (${stages.join(', ')}); Ctrl-C stops\n`);
      const summary = await runProcessors(config, { stages, untilIdle, signal: stop.signal, threads: true });
      io.stdout.write(formatSummary(summary));
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
