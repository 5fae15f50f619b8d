import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { TagpulseConfig } from '../../schemas/index.js';
import { createLogger } from '../log.js';

const kafkaLog = createLogger('kafkajs');

/**
 * kafkajs lines that are normal operation here, logged at debug:
 * - CONCURRENT_TRANSACTIONS: a transaction starts while the broker still writes the previous one's markers;
 *   kafkajs retries, and a send that runs out of retries fails its transaction, which the stage aborts.
 * - the warning that limited retries may break exactly-once: every transaction that fails is aborted and its batch
 *   (or page) is done again from what committed, so a send that gave up duplicates nothing.
 */
const ROUTINE = [/another concurrent operation on the same transaction/i, /Limiting retries for the idempotent producer/i];

/** The level a kafkajs log line gets in our log: its own, except INFO chatter and routine lines, which are debug. */
export function kafkaLogLevel({ level, log }: Pick<LogEntry, 'level' | 'log'>): 'error' | 'warn' | 'debug' {
  const text = `${log.message} ${String((log as { error?: unknown }).error ?? '')}`;
  if (ROUTINE.some((pattern) => pattern.test(text))) return 'debug';
  if (level === logLevel.ERROR) return 'error';
  if (level === logLevel.WARN) return 'warn';
  return 'debug';
}

/** kafkajs' own log lines, routed into our structured log. */
function logCreator() {
  return (entry: LogEntry) => {
    const { message, ...fields } = entry.log;
    kafkaLog[kafkaLogLevel(entry)](message, fields);
  };
}

export function createKafka(config: TagpulseConfig['kafka'], role: string): Kafka {
  return new Kafka({
    clientId: `${config.clientId}-${role}`,
    brokers: config.brokers,
    logCreator,
    logLevel: logLevel.INFO,
    retry: { initialRetryTime: 200, retries: 8 },
  });
}
