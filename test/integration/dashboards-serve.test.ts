import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../infra/wait.js';
import { configFile } from '../support/api.js';
import { CLI, freePort } from '../support/cli.js';
import { initialisedConfig } from '../support/config.js';

/** `tagpulse serve` (what `npm start` runs after the stack) serves the dashboard page beside the API. */
describe('tagpulse serve: the dashboard page', () => {
  it('serves the page, its assets, vega from node_modules and the chart definitions; the API stays as it was', async () => {
    const config = await initialisedConfig();
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--config', configFile(config)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TAGPULSE_LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitFor('serve to print where to look', async () => stdout.includes('Tagpulse is running.'), { timeoutMs: 60_000 });
      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
      const html = await page.text();
      for (const asset of ['/assets/style.css', '/vendor/vega.min.js', '/vendor/vega-lite.min.js', '/assets/app.js']) {
        expect(html).toContain(asset);
        const response = await fetch(`${base}${asset}`);
        expect(response.status, asset).toBe(200);
        expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(100);
      }
      // Everything the page loads is the server's own: no address of another origin in it.
      expect(html).not.toMatch(/(src|href)="https?:/);
      const definition = (await (await fetch(`${base}/dashboards/charts.json`)).json()) as { charts: Array<{ id: string }>; families: Array<{ name: string }> };
      expect(definition.charts.map((c) => c.id)).toContain('network');
      expect(definition.families.map((f) => f.name)).toEqual(Object.keys(config.families));
      const methodology = await fetch(`${base}/docs/abuse-methodology.md`);
      expect(methodology.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
      expect(await methodology.text()).toMatch(/^# /);
      // Unknown paths are still the API's 404 with its endpoints; /api/ paths never reach the page.
      const missing = await fetch(`${base}/no-such-page`);
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { endpoints: string[] }).endpoints).toContain('GET /api/trends');
      expect((await fetch(`${base}/api/health`)).status).toBe(200);
    } finally {
      child.kill('SIGINT');
      await exited;
    }
  });
});
