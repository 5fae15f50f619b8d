import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import cron from 'node-cron';
import { UserFacingError } from '../cli/command.js';
import { createLogger } from '../infra/log.js';
import type { ReportConfig } from '../schemas/index.js';
import { exportExtension, writeExport, writeFileAtomically } from './exports.js';
import type { QueryContext } from './queries/context.js';

const log = createLogger('reports');

/** `20260308T120000Z`: UTC, sortable, and without the colons some file systems refuse. */
export function timestampForFile(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z').replaceAll('-', '').replaceAll(':', '');
}

export function reportFileName(report: Pick<ReportConfig, 'name' | 'format' | 'query'>, at: Date): string {
  return `${report.name}-${timestampForFile(at)}.${exportExtension(report.query.export, report.format)}`;
}

/**
 * Runs one report now: its export into `<outDir>/<name>-<UTC timestamp>.<ext>`, written atomically (a reader
 * never sees half a file). Relative times in the query (`from: "-7d"`) are read at `at`.
 */
export async function runReport(context: QueryContext, report: ReportConfig): Promise<{ path: string; rows: number }> {
  const at = new Date(context.now());
  await mkdir(report.outDir, { recursive: true });
  const path = join(report.outDir, reportFileName(report, at));
  const { export: kind, ...params } = report.query;
  const rows = await writeFileAtomically(path, (out) => writeExport(context, kind, params as never, out, report.format));
  return { path, rows };
}

/** What schedules the reports: node-cron in production, anything with the same shape in tests. */
export interface Scheduler {
  schedule(expression: string, task: () => Promise<void>, options: { timezone: string; name: string }): { stop(): void | Promise<void> };
}

export const nodeCronScheduler: Scheduler = {
  // noOverlap: a report still running when its next time comes is skipped, not run twice at once.
  schedule: (expression, task, options) => cron.schedule(expression, task, { ...options, noOverlap: true }),
};

/**
 * Schedules every report of the config. An expression node-cron cannot read stops the start with the report's
 * name; a run that fails is logged and the schedule goes on.
 */
export function scheduleReports(context: QueryContext, reports: readonly ReportConfig[], scheduler: Scheduler = nodeCronScheduler): { stop(): Promise<void> } {
  for (const report of reports) {
    if (!cron.validate(report.cron)) throw new UserFacingError(`report ${report.name}: node-cron cannot read the cron expression "${report.cron}"`);
  }
  const tasks = reports.map((report) =>
    scheduler.schedule(
      report.cron,
      async () => {
        try {
          const { path, rows } = await runReport(context, report);
          log.info('report written', { report: report.name, path, rows });
        } catch (error) {
          log.error('report failed', { report: report.name, error });
        }
      },
      { timezone: report.cronTz, name: `report:${report.name}` },
    ),
  );
  return {
    async stop() {
      for (const task of tasks) await task.stop();
    },
  };
}
