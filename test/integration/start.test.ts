import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject, describe, expect, it } from 'vitest';
import { waitFor } from '../../infra/wait.js';
import { CLI, freePort } from '../support/cli.js';
import { produce } from '../support/pipeline.js';
import { rawEnvelope } from '../support/processors.js';
import { TagpulseConfig } from '../../schemas/index.js';

describe('tagpulse start (what `npm start` runs)', () => {
  it('reuses the running stack, initialises, collects nothing unasked, processes posts into the API, and stops cleanly on SIGINT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tagpulse-start-'));
    const port = await freePort();
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        kafka: { brokers: inject('kafkaBrokers'), topicPrefix: `start${port}` },
        search: { node: inject('searchNode'), indexPrefix: `start${port}` },
        api: { port },
      }),
    );
    // No key in the environment and a stack home of its own: start must create the local key there.
    const env: NodeJS.ProcessEnv = { ...process.env, TAGPULSE_HOME: dir };
    delete env.TAGPULSE_PSEUDONYM_KEY;
    const child = spawn(process.execPath, [CLI, 'start', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await waitFor('start to print where to look', async () => stdout.includes('Tagpulse is running.'), { timeoutMs: 60_000 });
      expect(stdout).toMatch(/init: \d+ of \d+ targets changed/);
      expect(stdout).toContain(`http://127.0.0.1:${port}/api/health`);
      expect(stdout).toMatch(new RegExp(`Tagpulse is running\\.\n  Web page: +http://127\\.0\\.0\\.1:${port}/\n`));
      const health = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(health.status).toBe(200);
      const body = (await health.json()) as { healthy: boolean; components: Record<string, Record<string, unknown>> };
      expect(body.healthy).toBe(true);
      expect(body.components.search).toMatchObject({ engine: 'opensearch' });
      expect(body.components.kafka).toMatchObject({ brokerVersion: '3.9' });
      const missing = await fetch(`http://127.0.0.1:${port}/nope`);
      expect(missing.status).toBe(404);
      expect(stdout).toMatch(/Collectors: +none/);
      expect(stdout).toMatch(/Pseudonyms: +HMAC-SHA256, key in .*pseudonym\.key \(created now\)/);
      const keyFile = join(dir, 'pseudonym.key');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(readFileSync(keyFile, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);

      // The processors run inside start: a raw post becomes a count the API answers with.
      const parsed = TagpulseConfig.parse(JSON.parse(readFileSync(config, 'utf8')));
      const post = rawEnvelope('start-1', { text: 'Шеруге шығамыз #MeToo', tags: ['MeToo'] });
      await produce(parsed, `${parsed.kafka.topicPrefix}.posts.raw`, [{ key: 'mastodon:start-1', value: JSON.stringify(post) }]);
      const trendsUrl = `http://127.0.0.1:${port}/api/trends?tag=metoo&from=2026-03-08&to=2026-03-08&interval=day`;
      await waitFor(
        'the post to be counted',
        async () => {
          const answer = (await (await fetch(trendsUrl)).json()) as { rows: Array<{ posts: number }> };
          return answer.rows.some((row) => row.posts === 1);
        },
        { timeoutMs: 90_000 },
      );
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
