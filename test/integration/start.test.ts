import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject, describe, expect, it } from 'vitest';
import { waitFor } from '../../infra/wait.js';
import { CLI, freePort } from '../support/cli.js';

describe('tagpulse start (what `npm start` runs)', () => {
  it('reuses the running stack, initialises, serves health, and stops cleanly on SIGINT', async () => {
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
    const child = spawn(process.execPath, [CLI, 'start', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await waitFor('start to print where to look', async () => stdout.includes('Tagpulse is running.'), { timeoutMs: 60_000 });
      expect(stdout).toMatch(/init: \d+ of \d+ targets changed/);
      expect(stdout).toContain(`http://127.0.0.1:${port}/api/health`);
      const health = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(health.status).toBe(200);
      const body = (await health.json()) as { healthy: boolean; components: Record<string, Record<string, unknown>> };
      expect(body.healthy).toBe(true);
      expect(body.components.search).toMatchObject({ engine: 'opensearch' });
      expect(body.components.kafka).toMatchObject({ brokerVersion: '3.9' });
      const missing = await fetch(`http://127.0.0.1:${port}/nope`);
      expect(missing.status).toBe(404);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
