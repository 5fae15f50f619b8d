import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { TagpulseConfig } from '../../schemas/index.js';
import { collectCommand } from '../../cli/commands/collect.js';
import { UsageError, UserFacingError } from '../../cli/command.js';
import { Collector } from '../../ingest/framework/collector.js';
import { createSource } from '../../ingest/sources/index.js';
import { waitFor } from '../../infra/wait.js';
import { initialisedConfig } from '../support/config.js';
import { keyCounts, rawEnvelopes } from '../fakes/collector-harness.js';
import { channelHistory, FakeTelegram } from '../fakes/telegram.js';

let fake: FakeTelegram;
afterEach(async () => {
  await fake.close();
});

function configFile(config: TagpulseConfig): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tagpulse-collect-')), 'tagpulse.config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

async function runCollect(values: Record<string, string | boolean>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks: string[] = [];
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const code = await collectCommand.run({ values, positionals: [], io: { stdin: new PassThrough(), stdout, stderr } });
  return { code, out: chunks.join('') };
}

describe('tagpulse collect', () => {
  it('--once runs every enabled source one full pass and prints a summary; a bad --source lists the names', async () => {
    fake = await FakeTelegram.start();
    fake.add('seruen_kz', 'Seruen', ...channelHistory(1, 30, 'seruen'));
    const config = await initialisedConfig({
      sources: [
        { type: 'telegram', name: 'telegram', channels: ['seruen_kz'], baseUrl: fake.baseUrl },
        { type: 'telegram', name: 'telegram-off', channels: ['seruen_kz'], baseUrl: fake.baseUrl, enabled: false },
        { type: 'vk', name: 'vk', enabled: false },
      ],
    });
    const file = configFile(config);

    const { code, out } = await runCollect({ config: file, once: true });

    expect(code).toBe(0);
    expect(out).toMatch(/^source\s+query\s+pages\s+fetched\s+sent\s+rejected\s+lag\s+status$/m);
    expect(out).toMatch(/^telegram\s+seruen_kz\s+2\s+30\s+30\s+0\s+\d+d\s+complete$/m);
    expect(out).toMatch(/^collect: 1 sources, 1 queries, 30 sent, 0 rejected$/m);
    // Without tags of its own, the source collected every family name of the default config.
    expect(keyCounts(await rawEnvelopes(config)).size).toBe(30);

    await expect(runCollect({ config: file, once: true, source: 'mastodon' })).rejects.toThrow(
      new UsageError('no source named "mastodon"; configured sources: telegram, telegram-off, vk'),
    );
    // A source named on the command line runs even when disabled; without its token that is a one-line error.
    await expect(runCollect({ config: file, once: true, source: 'vk' })).rejects.toThrow(
      new UserFacingError('source vk: set TAGPULSE_VK_TOKEN to a VK access token (a service token of your VK app will do)'),
    );
  });

  it('on schedules, runs at start and on each tick until stopped, then ends after the page in flight', async () => {
    fake = await FakeTelegram.start();
    fake.add('seruen_kz', 'Seruen', ...channelHistory(1, 30, 'seruen'));
    const config = await initialisedConfig({
      sources: [{ type: 'telegram', name: 'telegram', channels: ['seruen_kz'], baseUrl: fake.baseUrl, schedule: '* * * * * *' }],
    });
    const collector = await Collector.open(config, [createSource(config, config.sources[0]!)]);
    const stop = new AbortController();
    const running = collector.runScheduled(stop.signal);
    try {
      // A run starts at the newest page (no `before`): the first at start, the next on a tick, with new messages between.
      const runsStarted = () => fake.pageRequests('seruen_kz').filter((url) => !url.searchParams.has('before')).length;
      await waitFor('the run at start', async () => runsStarted() >= 1, { timeoutMs: 30_000, intervalMs: 50 });
      fake.add('seruen_kz', 'Seruen', ...channelHistory(31, 35, 'seruen'));
      await waitFor('a scheduled run', async () => runsStarted() >= 3, { timeoutMs: 30_000, intervalMs: 100 });
    } finally {
      stop.abort();
      await running;
      await collector.close();
    }
    const counts = keyCounts(await rawEnvelopes(config));
    expect(counts.size).toBe(35);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });
});
