import type { SourceConfig, TagpulseConfig } from '../../schemas/index.js';
import { loadConfig } from '../../infra/config.js';
import { kafkaUnreachable } from '../../infra/kafka/client.js';
import { isTransientKafkaError } from '../../infra/kafka/retry.js';
import { Collector, type ConfiguredSource, type SourceSummary } from '../../ingest/framework/collector.js';
import { SourceSetupError } from '../../ingest/framework/source.js';
import { createSource, hasCollector } from '../../ingest/sources/index.js';
import { UsageError, UserFacingError, type Command } from '../command.js';

/** The sources to run: the one named, or every enabled source that has a collector. */
function selectSources(config: TagpulseConfig, name: string | undefined, stderr: NodeJS.WritableStream): SourceConfig[] {
  if (config.sources.length === 0) {
    throw new UserFacingError('no sources configured: add some to "sources" in the config file (docs/collectors.md has examples)');
  }
  if (name !== undefined) {
    const source = config.sources.find((s) => s.name === name);
    if (!source) throw new UsageError(`no source named "${name}"; configured sources: ${config.sources.map((s) => s.name).join(', ')}`);
    if (!hasCollector(source.type)) throw new UserFacingError(`source ${name} is of type ${source.type}, which has no collector yet`);
    return [source];
  }
  const runnable = config.sources.filter((source) => {
    if (!source.enabled) return false;
    if (hasCollector(source.type)) return true;
    stderr.write(`collect: skipping ${source.name}: type ${source.type} has no collector yet\n`);
    return false;
  });
  if (runnable.length === 0) throw new UserFacingError('no enabled source has a collector; enable one in the config file or name one with --source');
  return runnable;
}

function formatLag(seconds: number | undefined): string {
  if (seconds === undefined) return '-';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}

/** One line per query and a total; returns whether anything failed. */
export function printSummary(out: NodeJS.WritableStream, summaries: readonly SourceSummary[]): boolean {
  const rows = [['source', 'query', 'pages', 'fetched', 'sent', 'rejected', 'lag', 'status']];
  let failed = false;
  for (const summary of summaries) {
    if (summary.error) {
      failed = true;
      rows.push([summary.source, '-', '', '', '', '', '', `failed: ${summary.error}`]);
    }
    for (const q of summary.queries) {
      if (q.error) failed = true;
      const status = q.error
        ? `failed: ${q.error}`
        : q.limitReached
          ? `stopped at a limit (continues next run): ${q.limitReached}`
          : q.complete
            ? 'complete'
            : 'partial (continues next run)';
      rows.push([summary.source, q.query, String(q.pages), String(q.fetched), String(q.sent), String(q.rejected), formatLag(q.lagSeconds), status]);
    }
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) out.write(`${row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')}\n`);
  const queries = summaries.flatMap((s) => s.queries);
  const total = (key: 'sent' | 'rejected') => queries.reduce((sum, q) => sum + q[key], 0);
  out.write(`collect: ${summaries.length} sources, ${queries.length} queries, ${total('sent')} sent, ${total('rejected')} rejected${failed ? ', with failures' : ''}\n`);
  return failed;
}

export const collectCommand: Command = {
  path: ['collect'],
  summary: 'Collect posts from the configured platforms into Kafka, once or on schedules',
  help: `Usage: tagpulse collect [--source NAME] [--once]

Collects posts with the configured tags (a source's "tags", else every family name and alias) from the
sources in the config file into <prefix>.posts.raw, items that fail validation into <prefix>.deadletter,
and each query's cursor into <prefix>.collector.cursors, all of a page in one Kafka transaction. A restarted
collector resumes after the last committed page. Credentials come from the environment variables the
source names (see docs/collectors.md). Logs (counts, errors, lag) are JSON lines on stderr.

  --source NAME  collect only this configured source (even if it is disabled)
  --once         one full pass of each source, then print a summary and exit (1 if anything failed):
                 polling sources page back to where their previous run started, Jetstream replays until
                 it has caught up with the time the pass began

Without --once, polling sources run at start and then on their "schedule" (cron), Jetstream follows the
firehose continuously, until SIGINT or SIGTERM; the page in flight is committed before exiting.
`,
  options: { source: { type: 'string' }, once: { type: 'boolean' } },
  async run({ values, io }) {
    const config = loadConfig(values.config as string | undefined);
    const selected = selectSources(config, values.source as string | undefined, io.stderr);
    let sources: ConfiguredSource[];
    try {
      sources = selected.map((source) => createSource(config, source));
    } catch (error) {
      if (error instanceof SourceSetupError) throw new UserFacingError(error.message);
      throw error;
    }
    const controller = new AbortController();
    const stop = (signal: NodeJS.Signals) => {
      if (controller.signal.aborted) process.exit(130); // a second signal: the user does not want to wait
      io.stderr.write(`collect: ${signal}: committing the page in flight, then stopping (again to force)\n`);
      controller.abort(new Error(`stopped by ${signal}`));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    const collector = await Collector.open(config, sources).catch((error: unknown) => {
      throw isTransientKafkaError(error) ? kafkaUnreachable(config.kafka, error) : error;
    });
    try {
      if (values.once) return printSummary(io.stdout, await collector.runOnce(controller.signal)) ? 1 : 0;
      io.stderr.write(`collect: running ${sources.map((s) => s.source.name).join(', ')}; Ctrl-C to stop\n`);
      await collector.runScheduled(controller.signal);
    } finally {
      await collector.close();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};
