import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicNames } from '../../infra/kafka/topics.js';
import { readImportFile } from '../../ingest/imports/run.js';
import { classify } from '../../processors/abuse/classify.js';
import { canonicalTag } from '../../processors/normalise/canonical.js';
import { TagFamilies } from '../../processors/normalise/families.js';
import { createPseudonymiser } from '../../processors/normalise/pseudonymise.js';
import { NormaliseProcessor } from '../../processors/stages/normalise.js';
import { DeadLetter, NormalisedPost, TagpulseConfig, type RawEnvelope } from '../../schemas/index.js';
import { record, runBatch, TEST_PSEUDONYM_KEY } from '../support/processors.js';
import { HOSTILE_CASES, HOSTILE_FORMATS, hostileFile, type HostileFile } from './hostile.js';

/**
 * Every import format × every hostile case of issue 9, in process (no servers): the reader, then the normalise
 * stage as the exactly-once runtime feeds it. The same files through the real pipeline: hostile-pipeline.test.ts.
 */
// Made when the file runs, not when it is collected (`vitest list` collects without running hooks).
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tagpulse-faults-hostile-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface ReadOutcome {
  envelopes: Map<string, RawEnvelope>;
  /** Envelopes the Kafka sink could not send: it sends JSON.stringify of each. */
  unserialisable: Map<string, string>;
  letters: DeadLetter[];
  /** The reader threw: the rest of the file was lost. */
  crashed?: string;
}

/** Reads one hostile file with its format's reader, as `tagpulse import` does. */
async function readHostile(file: HostileFile, name: string): Promise<ReadOutcome> {
  const path = join(dir, `${name}-${file.format}`);
  writeFileSync(path, file.bytes);
  const outcome: ReadOutcome = { envelopes: new Map(), unserialisable: new Map(), letters: [] };
  try {
    for await (const event of readImportFile(file.format, path, { platform: file.platform, rejectedAt: '2026-01-01T00:00:00.000Z' })) {
      if ('envelope' in event) {
        outcome.envelopes.set(event.envelope.platformId, event.envelope);
        try {
          JSON.stringify(event.envelope);
        } catch (error) {
          outcome.unserialisable.set(event.envelope.platformId, (error as Error).message);
        }
      } else if ('rejected' in event) outcome.letters.push(event.rejected);
    }
  } catch (error) {
    outcome.crashed = (error as Error).message;
  } finally {
    rmSync(path, { force: true });
  }
  return outcome;
}

const config = TagpulseConfig.parse({});
const topics = topicNames('hostile');
const normaliser = () =>
  new NormaliseProcessor({
    topics,
    partitions: 1,
    allowedLatenessMs: config.processing.allowedLatenessMs,
    dependencies: {
      pseudonymiser: createPseudonymiser(config.privacy, { [config.privacy.keyEnv]: TEST_PSEUDONYM_KEY }),
      families: new TagFamilies(config.families),
      classify,
    },
  });

const cells = HOSTILE_FORMATS.flatMap((format) => HOSTILE_CASES.map((c) => [format, c.name, c] as const));

describe('hostile input through every importer and the normalise stage', () => {
  it.each(cells)('%s × %s: processed or dead-lettered with a reason, and the items after it still come through', async (format, name, c) => {
    const file = hostileFile(format, c);
    const outcome = await readHostile(file, name);
    const hostileId = file.hostile[name]!;
    const became = outcome.envelopes.has(hostileId) ? 'envelope' : outcome.letters.map((l) => `${l.reason}: ${l.detail.slice(0, 100)}`).join(' | ');
    process.stderr.write(`[hostile] ${format} × ${name}: ${became}\n`);

    expect(outcome.crashed).toBeUndefined();
    // The ordinary items on either side came through.
    expect(file.sentinels.filter((id) => !outcome.envelopes.has(id))).toEqual([]);
    // The hostile item is accounted for exactly once: an envelope the sink can send, or one dead letter that says why.
    expect([...outcome.unserialisable]).toEqual([]);
    expect(outcome.letters).toHaveLength(outcome.envelopes.has(hostileId) ? 0 : 1);
    for (const letter of outcome.letters) {
      expect(DeadLetter.safeParse(letter).success).toBe(true);
      expect(letter.reason).toMatch(/^[a-z][a-z-]*$/);
      expect(letter.detail.length).toBeGreaterThan(0);
      expect(() => JSON.stringify(letter)).not.toThrow();
    }
    // Bytes that are not UTF-8 never become text.
    if (c.badBytes) expect(outcome.letters.map((l) => l.reason)).toEqual(['encoding']);

    // Each envelope through the normalise stage: a valid normalised post or a dead letter with a reason.
    const processor = normaliser();
    let offset = 0;
    for (const [id, envelope] of outcome.envelopes) {
      const { outputs } = runBatch(processor, [record(topics.raw, 0, offset++, JSON.stringify(envelope), id)]);
      expect(outputs).toHaveLength(1);
      const [out] = outputs;
      if (out!.topic === topics.deadLetter) {
        const letter = DeadLetter.parse(JSON.parse(out!.value));
        expect(letter.reason.length, letter.detail).toBeGreaterThan(0);
        continue;
      }
      expect(out!.topic).toBe(topics.normalised);
      const post = NormalisedPost.safeParse(JSON.parse(out!.value));
      expect(post.success, `${id}: ${post.error?.message}`).toBe(true);
      // Canonical tags are letters and digits only: no zero-width, bidi-control or NUL character gets into a key.
      for (const tag of post.data!.tags) expect(tag, id).toMatch(/^[\p{L}\p{N}_]+$/u);
      if (file.sentinels.includes(id)) expect(post.data!.tags).toEqual(expect.arrayContaining([canonicalTag('seruen'), canonicalTag('qazaqkoktemi')]));
    }
  });
});
