import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { TagpulseConfig } from '../../schemas/index.js';
import { createLogger } from '../log.js';

const kafkaLog = createLogger('kafkajs');

/** kafkajs' own log lines, routed into our structured log (its INFO chatter is debug here). */
function logCreator() {
  return ({ level, log }: LogEntry) => {
    const { message, ...fields } = log;
    if (level === logLevel.ERROR) kafkaLog.error(message, fields);
    else if (level === logLevel.WARN) kafkaLog.warn(message, fields);
    else kafkaLog.debug(message, fields);
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
