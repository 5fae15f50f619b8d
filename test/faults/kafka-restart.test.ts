import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicNames } from '../../infra/kafka/topics.js';
import { openPageWriter, readCommittedToEnd, restoreCursors } from '../../ingest/framework/kafka.js';
import { runImport } from '../../ingest/imports/run.js';
import { openKafkaSink } from '../../ingest/kafka-sink.js';
import type { EnvelopeSink } from '../../ingest/sink.js';
import { writeGenericJsonl } from '../fixtures/imports/generate.js';
import { initialisedConfig } from '../support/config.js';
import { rawEnvelope } from '../support/processors.js';
import { startServers, stopServer } from './control.js';

/** Items in the imported file: enough that the import is still sending when the broker goes down and comes back. */
const ITEMS = Number(process.env.TAGPULSE_FAULTS_IMPORT_ITEMS ?? 60_000);
/**
 * How long the broker stays down before it is started again: a restart's worth (a rolling restart of a real broker
 * takes tens of seconds), fixed so the outage does not depend on how fast this machine restarts a JVM.
 */
const OUTAGE_MS = Number(process.env.TAGPULSE_FAULTS_KAFKA_OUTAGE_MS ?? 15_000);

// Made when the file runs, not when it is collected (`vitest list` collects without running hooks).
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tagpulse-faults-kafka-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the Kafka broker stopped and restarted during an import', () => {
  it(`delivers all ${ITEMS} items exactly once across a ${OUTAGE_MS / 1000} s broker outage`, async () => {
    const config = await initialisedConfig();
    const file = join(dir, 'posts.jsonl');
    await writeGenericJsonl(file, ITEMS);

    // Once a fifth of the file is sent, the next batch waits until the broker is down (really down: its process
    // gone), then goes to the producer while the broker is away; the broker stays down OUTAGE_MS (the fault itself,
    // not a wait for a condition) and is started again, and the import has to carry on across the gap.
    let stopped: Promise<void> | undefined;
    let restarted: Promise<string[]> | undefined;
    let sentBeforeOutage = 0;
    const sink = await openKafkaSink(config);
    const gated: EnvelopeSink = {
      async send(envelopes) {
        if (!stopped && sentBeforeOutage >= ITEMS / 5) {
          stopped = stopServer('kafka');
          restarted = stopped.then(() => delay(OUTAGE_MS)).then(() => startServers());
        }
        if (stopped) await stopped;
        else sentBeforeOutage += envelopes.length;
        await sink.send(envelopes);
      },
      deadLetter: (letters) => sink.deadLetter(letters),
    };
    let summary;
    try {
      summary = await runImport({ format: 'generic-jsonl', files: [file], sink: gated });
    } finally {
      // Whatever the import did, the broker must be back for the next test.
      await restarted?.catch(() => undefined);
      await startServers();
      await sink.close().catch(() => undefined);
    }
    expect(await restarted).toEqual(['kafka']);
    expect(sentBeforeOutage).toBeLessThan(ITEMS);
    expect(summary).toMatchObject({ read: ITEMS, sent: ITEMS, rejected: {} });

    // The raw topic holds every item once: no loss, and no duplicate from the producer's retries.
    const keys = new Map<string, number>();
    await readCommittedToEnd(config, topicNames(config.kafka.topicPrefix).raw, (m) => {
      const key = m.key!.toString();
      keys.set(key, (keys.get(key) ?? 0) + 1);
    }, 120_000);
    const doubled = [...keys].filter(([, n]) => n > 1);
    expect(doubled.slice(0, 5)).toEqual([]);
    expect(keys.size).toBe(ITEMS);
  });
});

describe('the Kafka broker stopped and restarted while a collector writes a page', () => {
  it(`commits the page in flight once, with its cursor, across a ${OUTAGE_MS / 1000} s broker outage`, async () => {
    const config = await initialisedConfig();
    const topics = topicNames(config.kafka.topicPrefix);
    const writer = await openPageWriter(config, 'restart');
    const page = (from: number) => Array.from({ length: 100 }, (_, i) => rawEnvelope(`restart-${from + i}`, { text: `#seruen ${from + i}` }));
    const cursor = (position: number) => ({ schema: 'tagpulse.cursor/1' as const, source: 'restart', query: 'seruen', position, updatedAt: new Date().toISOString() });
    let restarted: Promise<string[]> | undefined;
    try {
      await writer.commit({ envelopes: page(0), rejected: [], cursors: [cursor(1)] });
      await stopServer('kafka');
      restarted = delay(OUTAGE_MS).then(() => startServers());
      // Written while the broker is down: the writer retries (a new producer, same transactional id) until it is back.
      await writer.commit({ envelopes: page(100), rejected: [], cursors: [cursor(2)] });
    } finally {
      await restarted?.catch(() => undefined);
      await startServers();
      await writer.close().catch(() => undefined);
    }
    expect(await restarted).toEqual(['kafka']);
    const keys = new Map<string, number>();
    await readCommittedToEnd(config, topics.raw, (m) => {
      const key = m.key!.toString();
      keys.set(key, (keys.get(key) ?? 0) + 1);
    }, 120_000);
    expect([...keys].filter(([, n]) => n > 1)).toEqual([]);
    expect(keys.size).toBe(200);
    expect((await restoreCursors(config)).get('restart:seruen')?.position).toBe(2);
  });
});
