import { randomBytes } from 'node:crypto';
import { TagpulseConfig } from '../schemas/index.js';
import type { StageName } from '../processors/topology.js';
import { dropPrefixed } from '../infra/drop-prefixed.js';
import { benchPassthrough, fillRaw, freshConfig, workSeconds } from './pipeline.js';

/**
 * Where the processors' time goes: `node dist/bench/stages.js [ITEMS] [STEP…]` fills a raw topic of its own with
 * ITEMS generated posts (default 50,000), then times each step in order on it (default: passthrough normalise
 * metrics sink; `all` runs every stage together on a copy of its own) and prints posts/s per step as JSON. Steps
 * are timed by their work, as `npm run bench` times them (workSpan in bench/pipeline.ts).
 */
const env = { ...process.env, TAGPULSE_PSEUDONYM_KEY: process.env.TAGPULSE_PSEUDONYM_KEY ?? randomBytes(32).toString('hex') };
const [itemsArg, ...stepsArg] = process.argv.slice(2);
const items = Number(itemsArg ?? 50_000);
const steps = stepsArg.length > 0 ? stepsArg : ['passthrough', 'normalise', 'metrics', 'sink'];
const base = TagpulseConfig.parse({ kafka: { topicPrefix: `stg${Date.now().toString(36)}` } });
const results: Record<string, number> = {};
/** CPU seconds of this process per step (user + system): steadier than wall time on a shared machine. */
const cpu: Record<string, number> = {};
try {
  const config = await freshConfig(base, 'a');
  await fillRaw(config, items);
  for (const step of steps) {
    if (step === 'passthrough') {
      results[step] = await benchPassthrough(config, items);
      continue;
    }
    const stages = (step === 'all' ? ['normalise', 'metrics', 'sink'] : step.split(',')) as [StageName, ...StageName[]];
    let input = config;
    if (step === 'all') {
      input = await freshConfig(base, 'all');
      await fillRaw(input, items);
    }
    const cpuBefore = process.cpuUsage();
    results[step] = Math.round(items / (await workSeconds(input, stages)));
    const used = process.cpuUsage(cpuBefore);
    cpu[step] = Number(((used.user + used.system) / 1e6).toFixed(1));
  }
  process.stdout.write(`${JSON.stringify({ perSecond: results, cpuSeconds: cpu })}\n`);
} finally {
  await dropPrefixed(base, 'bench-cleanup');
}
