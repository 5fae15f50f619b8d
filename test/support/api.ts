import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createApiService, type ApiService } from '../../api/app.js';
import { listen } from '../../api/server.js';
import type { Scheduler } from '../../api/reports.js';
import type { StaticHandler } from '../../api/server.js';
import type { TagpulseConfig } from '../../schemas/index.js';

/** Keys for tests, one per role (the real ones come from the environment). */
export const TEST_KEYS = {
  public: 'pub-0123456789abcdef0123456789',
  researcher: 'res-0123456789abcdef0123456789',
  admin: 'adm-0123456789abcdef0123456789',
} as const;
export const TEST_KEYS_ENV = `newsroom:public:${TEST_KEYS.public},aigerim:researcher:${TEST_KEYS.researcher},ops:admin:${TEST_KEYS.admin}`;

export interface RunningApi {
  base: string;
  service: ApiService;
  close(): Promise<void>;
}

/** The API service in this process on a free loopback port, with the test keys. */
export async function startApi(config: TagpulseConfig, options: { scheduler?: Scheduler; statics?: StaticHandler } = {}): Promise<RunningApi> {
  const service = await createApiService(config, { ...options, env: { ...process.env, [config.api.keysEnv]: TEST_KEYS_ENV } });
  await listen(service.server, '127.0.0.1', 0);
  const { port } = service.server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    service,
    async close() {
      await new Promise<void>((resolve) => service.server.close(() => resolve()));
      await service.close();
    },
  };
}

/** A GET with parameters (arrays repeated) and optionally a key. */
export async function apiGet(base: string, path: string, params: Record<string, string | number | boolean | string[]> = {}, key?: string): Promise<Response> {
  const url = new URL(path, base);
  for (const [name, value] of Object.entries(params)) {
    for (const v of [value].flat()) url.searchParams.append(name, String(v));
  }
  return fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {} });
}

/** The config as a file, for the CLI's --config. */
export function configFile(config: TagpulseConfig): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tagpulse-api-')), 'tagpulse.config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** A strict RFC 4180 reader for checking what the writer wrote: CRLF records, quoted fields with doubled quotes. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else if (c === '\n' || c === '\r') throw new Error(`bare line break at ${i}: RFC 4180 records end with CRLF`);
    else field += c;
    i++;
  }
  if (field !== '' || record.length > 0) throw new Error('the last record does not end with CRLF');
  return records;
}

/** CSV records as objects keyed by the header. */
export function csvObjects(text: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text);
  return rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i]!])));
}

/**
 * The bucket a post falls in, computed from the instant with Intl alone (not with api/time.ts, which the answers
 * come from): for day, week and month the local wall-clock start (`2024-03-04T00:00:00`, unique within a zone);
 * for an hour also its offset, since a clock set back repeats an hour (Asia/Almaty, 2024-02-29 23:00).
 */
export function bucketOf(ms: number, interval: 'hour' | 'day' | 'week' | 'month', tz: string): string {
  const parts = (at: number) =>
    Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', timeZoneName: 'longOffset' })
        .formatToParts(new Date(at))
        .map((p) => [p.type, p.value]),
    );
  const local = parts(ms);
  const date = `${local.year}-${local.month}-${local.day}`;
  switch (interval) {
    case 'hour': {
      // Every offset Asia/Almaty and UTC ever had is whole hours, so the UTC hour is the local one.
      const start = parts(Math.floor(ms / 3_600_000) * 3_600_000);
      const offset = start.timeZoneName === 'GMT' ? '+00:00' : start.timeZoneName!.slice(3);
      return `${start.year}-${start.month}-${start.day}T${start.hour}:00:00${offset}`;
    }
    case 'day':
      return `${date}T00:00:00`;
    case 'week': {
      const day = new Date(`${date}T00:00:00Z`);
      day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
      return `${day.toISOString().slice(0, 10)}T00:00:00`;
    }
    case 'month':
      return `${local.year}-${local.month}-01T00:00:00`;
  }
}

/** The textbook Wilson score interval at 95% (z = 1.96), written out here independently of api/measures.ts. */
export function wilson95(k: number, n: number): [number, number] {
  const z = 1.959963984540054;
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
