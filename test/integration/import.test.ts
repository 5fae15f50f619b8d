import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { topicNames } from '../../infra/kafka/topics.js';
import { DeadLetter, RawEnvelope, type TagpulseConfig } from '../../schemas/index.js';
import { generateImportFixtures } from '../fixtures/imports/generate.js';
import { runCli } from '../support/cli.js';
import { initialisedConfig } from '../support/config.js';
import { readTopic } from '../support/kafka.js';

function writeConfig(config: TagpulseConfig, dir: string): string {
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ kafka: config.kafka, search: config.search }));
  return file;
}

describe('tagpulse import into the real broker', () => {
  it('sends every generated item of every format, keyed platform:id, with Kazakh letters and emoji intact', async () => {
    const config = await initialisedConfig();
    const dir = mkdtempSync(join(tmpdir(), 'tagpulse-import-'));
    const configFile = writeConfig(config, dir);
    const files = await generateImportFixtures(dir, 300);
    let expected = 0;
    for (const file of files) {
      const result = await runCli(['import', '--format', file.format, '--json', '--config', configFile, file.path]);
      expect(result.code, result.stderr).toBe(0);
      const summary = JSON.parse(result.stdout) as { sent: number; rejected: Record<string, number> };
      expect(summary.sent, file.path).toBe(file.envelopes);
      expect(summary.rejected).toEqual({});
      expected += file.envelopes;
    }
    const messages = await readTopic(config, topicNames(config.kafka.topicPrefix).raw, expected);
    expect(messages).toHaveLength(expected);
    const envelopes = messages.map((m) => ({ key: m.key!.toString(), envelope: RawEnvelope.parse(JSON.parse(m.value!.toString())) }));
    for (const { key, envelope } of envelopes) expect(key).toBe(`${envelope.platform}:${envelope.platformId}`);
    const text = envelopes.map((e) => e.envelope.item.text).join('\n');
    expect(text).toMatch(/[әғқңөұүһі]/);
    expect(text).toMatch(/\p{Extended_Pictographic}/u);
  });

  it('sends unreadable items to the dead-letter topic with their reason, and keeps going', async () => {
    const config = await initialisedConfig();
    const dir = mkdtempSync(join(tmpdir(), 'tagpulse-import-'));
    const configFile = writeConfig(config, dir);
    const file = join(dir, 'mixed.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({ id: 'a1', text: 'Серуен бүгін #seruen', created_at: '2026-03-08T10:00:00+05:00', platform: 'vk' }),
        '{"id": "broken", ',
        JSON.stringify({ id: 'a2', text: 'no time zone', created_at: '2026-03-08 10:00:00' }),
        JSON.stringify({ id: 'a3', text: 'Мен ояндым 🌷 #менояндым', created_at: 1772946000 }),
      ].join('\n'),
    );
    const result = await runCli(['import', '--format', 'generic-jsonl', '--json', '--config', configFile, file]);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { read: number; sent: number; rejected: Record<string, number> };
    expect(summary).toMatchObject({ sent: 2 });
    expect(Object.values(summary.rejected).reduce((a, b) => a + b, 0)).toBe(2);
    const letters = (await readTopic(config, topicNames(config.kafka.topicPrefix).deadLetter, 2)).map((m) =>
      DeadLetter.parse(JSON.parse(m.value!.toString())),
    );
    expect(letters.map((l) => l.stage)).toEqual(['import:generic-jsonl', 'import:generic-jsonl']);
    expect(letters.map((l) => l.origin.line).sort()).toEqual([2, 3]);
    expect(letters.every((l) => l.detail.length > 0)).toBe(true);
    const raw = await readTopic(config, topicNames(config.kafka.topicPrefix).raw, 2);
    expect(raw.map((m) => m.key!.toString()).sort()).toEqual(['generic:a3', 'vk:a1']);
  });

  it('refuses an unknown format, naming the formats', async () => {
    const result = await runCli(['import', '--format', 'csv', 'x.csv']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--format must be one of .*telegram-desktop.*generic-jsonl/);
  });
});
