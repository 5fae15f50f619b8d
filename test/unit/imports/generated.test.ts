import { mkdtemp, readFile as readBytes, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateImportFixtures, type GeneratedFile } from '../../fixtures/imports/generate.js';
import { KAZAKH_LETTERS, readFile } from './support.js';

const ITEMS = 2000;
const NAMES = [
  'telegram-chat.json',
  'telegram-account.json',
  'zeeschuimer-export-x.com-2024-03-02T000000.ndjson',
  'zeeschuimer-4cat.ndjson',
  'twarc2-search.jsonl',
  'twarc2-flat.jsonl',
  '4cat-twitter-import.csv',
  'generic.jsonl',
  'generic.csv',
];

const dirs: string[] = [];
let files: GeneratedFile[];
const generated = (name: string) => files.find((file) => basename(file.path) === name)!;

beforeAll(async () => {
  dirs.push(await mkdtemp(join(tmpdir(), 'tagpulse-imports-')));
  files = await generateImportFixtures(dirs[0]!, ITEMS);
});
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('generated fixtures, thousands of items per format and layout', () => {
  it('cover every format and layout, the same bytes on every run', async () => {
    expect(files.map((file) => basename(file.path)).sort()).toEqual([...NAMES].sort());
    dirs.push(await mkdtemp(join(tmpdir(), 'tagpulse-imports-')));
    const again = await generateImportFixtures(dirs[1]!, ITEMS);
    for (const [i, file] of files.entries()) expect((await readBytes(again[i]!.path)).equals(await readBytes(file.path))).toBe(true);
  });

  it.each(NAMES)('%s: every item is read, skipped for its stated reason, or sent; none rejected', async (name) => {
    const file = generated(name);
    const { envelopes, rejected, skipped } = await readFile(file.format, file.path, { platform: file.format === '4cat' ? 'x' : undefined });
    expect(rejected).toEqual([]);
    expect(skipped).toEqual(file.skipped);
    expect(envelopes).toHaveLength(file.envelopes);
    expect(envelopes.length).toBeGreaterThan(1000);
    expect(new Set(envelopes.map((e) => `${e.platform}:${e.platformId}`)).size).toBe(envelopes.length);
  });

  it.each(NAMES)('%s: Kazakh, Russian, Latin Kazakh and emoji arrive intact', async (name) => {
    const file = generated(name);
    const { envelopes } = await readFile(file.format, file.path, { platform: file.format === '4cat' ? 'x' : undefined });
    const texts = envelopes.map((e) => e.item.text);
    expect(texts.some((text) => text.includes('\uFFFD'))).toBe(false);
    expect(texts.filter((text) => KAZAKH_LETTERS.test(text)).length).toBeGreaterThan(envelopes.length / 4);
    expect(texts.some((text) => /[🌷✊💜🕊]|🇰🇿|👩‍👧/u.test(text))).toBe(true);
    expect(texts.some((text) => /[äñıǵń]/u.test(text))).toBe(true);
    expect(envelopes.flatMap((e) => e.item.tags).every((tag) => tag.length > 0 && !tag.startsWith('#'))).toBe(true);
  });

  it.each(NAMES)('%s: importing the same file twice gives identical envelopes', async (name) => {
    const file = generated(name);
    const first = await readFile(file.format, file.path);
    const second = await readFile(file.format, file.path);
    expect(second.envelopes).toEqual(first.envelopes);
  });
});
