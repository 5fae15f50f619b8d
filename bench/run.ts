import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TagpulseConfig } from '../schemas/index.js';
import { initialise } from '../infra/init.js';
import { stackDown, stackUp } from '../infra/local/stack.js';
import { PACKAGE_ROOT, stackHome } from '../infra/local/paths.js';
import { benchIngest } from './ingest.js';

/**
 * `npm run bench`: every benchmark in one run on the real local stack (started if needed, stopped after if we
 * started it), a JSON report on stdout, and docs/benchmarks.md rewritten with the figures and the machine.
 * Each figure stands next to the limit measured in the same run.
 */
const BENCHMARKS: Record<string, (config: TagpulseConfig) => Promise<unknown>> = {
  ingest: (config) => benchIngest(config),
};

function machine() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

function markdown(report: { at: string; machine: ReturnType<typeof machine>; results: Record<string, unknown> }): string {
  const m = report.machine;
  return [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` on ${report.at}: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}.`,
    'Every figure was measured in the same run as the limit it is compared with, on the local Kafka 3.9.1 and OpenSearch 2.19 stack.',
    '',
    ...Object.entries(report.results).flatMap(([name, result]) => [
      `## ${name}`,
      '',
      '| measure | value |',
      '| --- | --- |',
      ...Object.entries(result as Record<string, unknown>).map(([k, v]) => `| ${k} | ${typeof v === 'number' ? v.toLocaleString('en-US') : String(v)} |`),
      '',
    ]),
  ].join('\n');
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const base = TagpulseConfig.parse({});
  const up = await stackUp(base, stackHome(), (line) => process.stderr.write(`${line}\n`));
  try {
    const prefix = `bench${randomBytes(3).toString('hex')}`;
    const config = TagpulseConfig.parse({ kafka: { topicPrefix: prefix }, search: { indexPrefix: prefix } });
    await initialise(config);
    const results: Record<string, unknown> = {};
    for (const [name, run] of Object.entries(BENCHMARKS)) {
      if (only.length > 0 && !only.includes(name)) continue;
      process.stderr.write(`bench: ${name}...\n`);
      results[name] = await run(config);
    }
    const report = { at: new Date().toISOString(), machine: machine(), results };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(PACKAGE_ROOT, 'docs', 'benchmarks.md'), markdown(report));
  } finally {
    if (up.started.length > 0) await stackDown(base);
  }
}

await main();
