import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectOnce, deadLetters, rawEnvelopes } from '../fakes/collector-harness.js';
import { mastodonStatus } from '../fakes/mastodon.js';
import { initialisedConfig } from '../support/config.js';
import { HOSTILE_CASES, INVALID_UTF8, type HostileCase } from './hostile.js';

/**
 * The hostile cases through a collector: a Mastodon instance whose tag timeline serves one hostile status between
 * two ordinary ones, byte for byte as written here (the shared fakes serialise JSON themselves, so they cannot send
 * invalid UTF-8 or nesting deeper than JSON.stringify goes). The production collector (`collect --once`) reads it
 * into the fault stack's Kafka.
 */
const MARK = 'ЖЖBADBYTESЖЖ';
let page: Buffer = Buffer.from('[]');
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    // The first request of a run (no paging parameter) gets the page; every later one the end of the timeline.
    const first = url.pathname === '/api/v1/timelines/tag/seruen' && !['max_id', 'since_id', 'min_id'].some((p) => url.searchParams.has(p));
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    response.end(first ? page : '[]');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const escapeHtml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** A timeline page, newest first: ordinary status `base+3`, the hostile `base+2`, ordinary `base+1`. */
function hostilePage(c: HostileCase, n: number): { bytes: Buffer; sentinels: string[]; hostile: string } {
  const id = (k: number) => String(110_000_000_000_000_000n + BigInt(n * 10 + k));
  const status = (k: number, text: string) =>
    mastodonStatus({ id: id(k), createdAt: `2026-03-08T10:0${k}:00Z`, content: `<p>${escapeHtml(text)}</p>`, tags: ['seruen'] });
  const sentinel = (k: number) => JSON.stringify(status(k, `ordinary post ${k} #seruen`));
  const text = c.badBytes ? c.text!.replace('ЖЖBADBYTESЖЖ', MARK) : c.text!;
  let hostile = JSON.stringify(status(2, text));
  if (c.nestDepth) hostile = `${hostile.slice(0, -1)},"nested":${'['.repeat(c.nestDepth)}1${']'.repeat(c.nestDepth)}}`;
  const json = Buffer.from(`[${sentinel(3)},${hostile},${sentinel(1)}]`);
  const at = json.indexOf(MARK);
  const bytes = at === -1 ? json : Buffer.concat([json.subarray(0, at), INVALID_UTF8, json.subarray(at + Buffer.byteLength(MARK))]);
  const uri = (k: number) => status(k, '').uri;
  return { bytes, sentinels: [uri(3), uri(1)], hostile: uri(2) };
}

describe('hostile input through a collector (Mastodon)', () => {
  it.each(HOSTILE_CASES.map((c, n) => [c.name, c, n] as const))('%s: collected or dead-lettered with a reason, and the statuses around it still collected', async (_, c, n) => {
    const built = hostilePage(c, n);
    page = built.bytes;
    const config = await initialisedConfig({ sources: [{ type: 'mastodon', name: 'mastodon', instances: [base], tags: ['seruen'] }] });
    const [summary] = await collectOnce(config);
    const envelopes = await rawEnvelopes(config);
    const letters = await deadLetters(config);
    const ids = new Set(envelopes.map((e) => e.platformId));
    process.stderr.write(
      `[hostile collector] mastodon × ${c.name}: ${ids.has(built.hostile) ? 'envelope' : letters.map((l) => `${l.reason}: ${l.detail.slice(0, 100)}`).join(' | ') || 'nothing'}; run error ${summary?.error ?? summary?.queries.find((q) => q.error)?.error ?? 'none'}\n`,
    );
    expect(built.sentinels.filter((uri) => !ids.has(uri))).toEqual([]);
    expect(ids.has(built.hostile) || letters.length === 1).toBe(true);
    for (const letter of letters) expect(letter.detail.length).toBeGreaterThan(0);
  });
});
