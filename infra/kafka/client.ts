import { Kafka, logLevel, type Admin, type LogEntry } from 'kafkajs';
import { UserFacingError } from '../../cli/command.js';
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

/** The one-line error for a broker out of reach: where Tagpulse looked, why it failed, and what to do. */
export function kafkaUnreachable(config: TagpulseConfig['kafka'], error: unknown): UserFacingError {
  return new UserFacingError(
    `cannot reach Kafka at ${config.brokers.join(', ')} (${(error as Error).message}); start it with \`tagpulse stack up\` or fix kafka.brokers in the config`,
  );
}

/** The broker's admin client, connected; a broker out of reach is a one-line error (kafkaUnreachable). */
export async function connectAdmin(config: TagpulseConfig['kafka'], kafka: Kafka): Promise<Admin> {
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (error) {
    throw kafkaUnreachable(config, error);
  }
  return admin;
}
