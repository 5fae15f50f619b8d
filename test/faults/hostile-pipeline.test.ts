import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicNames } from '../../infra/kafka/topics.js';
import { openStore } from '../../infra/store/open.js';
import { readCommittedToEnd } from '../../ingest/framework/kafka.js';
import { runImport, type ImportSummary } from '../../ingest/imports/run.js';
import { openKafkaSink } from '../../ingest/kafka-sink.js';
import { createPseudonymiser } from '../../processors/normalise/pseudonymise.js';
import { DeadLetter, Platform, type TagpulseConfig } from '../../schemas/index.js';
import { initialisedConfig } from '../support/config.js';
import { openProducer, spawnCli } from '../support/pipeline.js';
import { rawEnvelope, TEST_PSEUDONYM_KEY } from '../support/processors.js';
import { HOSTILE_CASES, HOSTILE_FORMATS, hostileFile, type HostileFile } from './hostile.js';

/** How long the processors may take over every hostile file (six 10 MB posts among them) before the test gives up. */
const PROCESS_DEADLINE_MS = Number(process.env.TAGPULSE_FAULTS_PROCESS_DEADLINE_MS ?? 240_000);
/** The processors run with a bounded heap, as in a container: a stage that grows without bound fails here, not in production. */
const PROCESSOR_HEAP_MB = 1536;
const BIG_POST_ID = 'big-post-10mb';

/** The hostile cases to run (all by default; a comma-separated subset to chase one failure). */
const CASES = process.env.TAGPULSE_FAULTS_HOSTILE_CASES?.split(',') ?? HOSTILE_CASES.map((c) => c.name);

// Made when the file runs, not when it is collected (`vitest list` collects without running hooks).
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tagpulse-faults-pipeline-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Imported {
  file: HostileFile;
  label: string;
  summary?: ImportSummary;
  failure?: string;
}

/**
 * The hostile files of hostile-input.test.ts, all of them, through the real pipeline on the fault stack:
 * `tagpulse import`'s path into Kafka, then `tagpulse process` (a child process, as an operator runs it) into
 * the search engine. The pipeline must keep going: every ordinary post searchable, every hostile one stored or
 * dead-lettered, the processor never crashing or stalling.
 */
describe('hostile input through the whole pipeline', () => {
  let config: TagpulseConfig;
  let configFile: string;
  let bigPostStored = false;
  const imported: Imported[] = [];

  it('imports every hostile file into the raw topic without the import failing', async () => {
    config = await initialisedConfig();
    for (const [f, format] of HOSTILE_FORMATS.entries()) {
      for (const [i, c] of HOSTILE_CASES.entries()) {
        if (!CASES.includes(c.name)) continue;
        {
          const file = hostileFile(format, c, (f * HOSTILE_CASES.length + i) * 10);
          const path = join(dir, `${c.name}.${format}`);
          writeFileSync(path, file.bytes);
          const entry: Imported = { file, label: `${format} × ${c.name}` };
          // One import run per file, as `tagpulse import FILE` would be: a failed send leaves kafkajs' idempotent
          // producer out of sequence, which must not make the next file fail too.
          const sink = await openKafkaSink(config);
          try {
            entry.summary = await runImport({ format, files: [path], sink, platform: file.platform });
          } catch (error) {
            entry.failure = (error as Error).message;
          } finally {
            await sink.close();
          }
          imported.push(entry);
          rmSync(path);
        }
      }
    }
    // A 10 MB post as a collector writes it (text once, the platform's item beside it, here without the text):
    // straight onto the raw topic, whatever the importers make of one.
    const producer = await openProducer(config);
    try {
      const text = HOSTILE_CASES.find((c) => c.name === 'ten-mb')!.text!;
      await producer.send(topicNames(config.kafka.topicPrefix).raw, [
        { key: `mastodon:${BIG_POST_ID}`, value: JSON.stringify(rawEnvelope(BIG_POST_ID, { text }, { payload: { id: BIG_POST_ID } })) },
      ]);
    } finally {
      await producer.close();
    }
    expect(imported.filter((i) => i.failure).map((i) => `${i.label}: ${i.failure}`)).toEqual([]);
  });

  it('processes all of it: ordinary posts searchable, hostile ones stored or dead-lettered, the processor never down', async () => {
    expect(config, 'the import test ran first').toBeDefined();
    configFile = join(dir, 'tagpulse.config.json');
    writeFileSync(configFile, JSON.stringify(config));
    const started = Date.now();
    const processor = spawnCli(['process', '--until-idle', '--config', configFile], {
      TAGPULSE_PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
      NODE_OPTIONS: `--max-old-space-size=${PROCESSOR_HEAP_MB}`,
    });
    let deadline: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      processor.exited,
      new Promise<'deadline'>((resolve) => (deadline = setTimeout(() => resolve('deadline'), PROCESS_DEADLINE_MS))),
    ]);
    clearTimeout(deadline);
    if (outcome === 'deadline') await processor.kill('SIGKILL');
    const seconds = Math.round((Date.now() - started) / 1000);
    process.stderr.write(`[hostile pipeline] process --until-idle: ${String(outcome)} after ${seconds} s\n${processor.output().slice(-3000)}\n`);
    expect(outcome, `tagpulse process --until-idle (heap ${PROCESSOR_HEAP_MB} MB, deadline ${PROCESS_DEADLINE_MS} ms): ${processor.output().slice(-2000)}`).toBe(0);

    // Which of the imported items reached the posts index.
    // Only what the import sent is expected downstream (the importer's own losses are hostile-input.test.ts's).
    const sent = imported.filter((i) => i.summary && i.summary.sent >= 2);
    const sentinels = sent.flatMap((i) => i.file.sentinels);
    const hostileSent = sent.flatMap((i) => Object.entries(i.file.hostile).filter(() => i.summary!.sent === 3).map(([name, id]) => ({ label: i.label, name, id })));
    // A platform id that names an account (the Telegram export's `<chat>/<n>`) is stored with it pseudonymised.
    const pseudonymiser = createPseudonymiser(config.privacy, { [config.privacy.keyEnv]: TEST_PSEUDONYM_KEY });
    const storedForms = (id: string) => [...new Set(Platform.options.map((platform) => pseudonymiser.platformId(platform, id)))];
    const store = await openStore(config);
    let stored: Set<string>;
    try {
      const index = store.alias('posts');
      await store.refresh(index);
      const response = await store.search<{ platformId: string }>(index, {
        query: { terms: { platformId: [...sentinels, ...hostileSent.map((h) => h.id), BIG_POST_ID].flatMap(storedForms) } },
        _source: ['platformId'],
        size: 10_000,
      });
      stored = new Set(response.hits.hits.map((hit) => hit._source.platformId));
    } finally {
      await store.close();
    }
    const found = { has: (id: string) => storedForms(id).some((form) => stored.has(form)) };
    bigPostStored = found.has(BIG_POST_ID);
    const letters: DeadLetter[] = [];
    await readCommittedToEnd(config, topicNames(config.kafka.topicPrefix).deadLetter, (m) => letters.push(DeadLetter.parse(JSON.parse(m.value!.toString()))), 120_000);
    const processingLetters = letters.filter((l) => l.stage === 'normalise' || l.stage === 'metrics' || l.stage === 'sink');
    process.stderr.write(`[hostile pipeline] dead letters of the processors: ${JSON.stringify(processingLetters.map((l) => `${l.stage}/${l.reason}: ${l.detail.slice(0, 200)}`))}\n`);

    expect(sentinels.filter((id) => !found.has(id))).toEqual([]);
    // The 10 MB post a collector produced: stored, or dead-lettered by a processing stage.
    expect(found.has(BIG_POST_ID) || processingLetters.length > 0).toBe(true);
    // A hostile item not in the index has a dead letter of a processing stage saying why.
    const missing = hostileSent.filter((h) => !found.has(h.id));
    expect(processingLetters.length).toBeGreaterThanOrEqual(missing.length);
    for (const letter of processingLetters) expect(letter.detail.length).toBeGreaterThan(0);
  });

  it("exports every stored post, the 10 MB one among them, through the export's page worker", async () => {
    expect(configFile, 'the processing test ran first').toBeDefined();
    const out = join(dir, 'posts.jsonl');
    // The CLI runs compiled, so its pages are parsed in the worker whose heap is capped (api/export-pages.ts).
    const exporter = spawnCli(['export', 'posts', '--format', 'json', '--out', out, '--config', configFile], {});
    expect(await exporter.exited, exporter.output().slice(-2000)).toBe(0);
    const rows = readFileSync(out, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { id: string; text: string });
    const store = await openStore(config);
    try {
      expect(rows.length).toBe(await store.count(store.alias('posts')));
    } finally {
      await store.close();
    }
    if (bigPostStored) expect(rows.find((row) => row.id === `mastodon:${BIG_POST_ID}`)?.text.length).toBeGreaterThan(4_000_000);
  });
});
