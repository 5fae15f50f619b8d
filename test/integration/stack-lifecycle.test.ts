import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { portInUse } from '../../infra/local/component.js';
import { freePort, runCli } from '../support/cli.js';

/** Pids of live processes whose command line carries this stack home's marker. */
function processesOf(home: string): number[] {
  const marker = `-Dtagpulse.home=${home}`;
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** A free port in the local OpenSearch runner's range (9200-9299). */
async function freeSearchPort(): Promise<number> {
  for (let port = 9299; port > 9200; port--) if (!(await portInUse('127.0.0.1', port))) return port;
  throw new Error('no free port in 9201-9299');
}

/** A port whose successor is free too (Kafka's controller listens on broker port + 1). */
async function freeKafkaPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 65535 && !(await portInUse('127.0.0.1', port + 1))) return port;
  }
}

describe('a second, separate local stack', () => {
  it('comes up on other ports, reports real versions, is reused, and `down` leaves no process of ours', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tagpulse-stack-'));
    const config = join(home, 'config.json');
    const kafkaPort = await freeKafkaPort();
    const searchPort = await freeSearchPort();
    writeFileSync(config, JSON.stringify({ kafka: { brokers: [`127.0.0.1:${kafkaPort}`] }, search: { node: `http://127.0.0.1:${searchPort}` } }));
    const env = { TAGPULSE_HOME: home };
    try {
      const up = await runCli(['stack', 'up', '--config', config], { env });
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout).toContain('started [kafka, search]');
      expect(up.stdout).toMatch(/init: \d+ of \d+ targets changed/);

      const status = await runCli(['stack', 'status', '--json', '--config', config], { env });
      expect(status.code).toBe(0);
      const parsed = JSON.parse(status.stdout);
      expect(parsed.kafka).toMatchObject({ running: true, ours: true, details: { brokerVersion: '3.9', brokers: 1 } });
      expect(parsed.search).toMatchObject({ running: true, ours: true, details: { engine: 'opensearch', version: '2.19.1' } });
      expect(processesOf(home)).toHaveLength(2);

      const again = await runCli(['stack', 'up', '--config', config], { env });
      expect(again.stdout).toContain('started [], reused [kafka, search]');
      expect(again.stdout).toContain('all 19 targets already up to date');
      const down = await runCli(['stack', 'down', '--config', config], { env });
      expect(down.stdout).toContain('stopped search, kafka');
    } finally {
      // Whatever happened above, nothing of this stack may outlive the test (a no-op after a successful `down`).
      await runCli(['stack', 'down', '--config', config], { env });
    }
    expect(processesOf(home)).toEqual([]);
    expect(await portInUse('127.0.0.1', kafkaPort)).toBe(false);
    expect(await portInUse('127.0.0.1', searchPort)).toBe(false);
  }, 420_000);
});
