import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaLogLevel } from '../../../infra/kafka/client.js';

const entry = (level: logLevel, message: string, fields: Record<string, unknown> = {}) => ({
  level,
  log: { message, timestamp: '2026-11-24T00:00:00.000Z', logger: 'kafkajs', ...fields },
});
const concurrent = 'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing';

describe("kafkajs' log lines in our log", () => {
  it('keeps errors and warnings, and turns INFO chatter into debug', () => {
    expect(kafkaLogLevel(entry(logLevel.ERROR, 'Connection error: connect ECONNREFUSED 127.0.0.1:9092'))).toBe('error');
    expect(kafkaLogLevel(entry(logLevel.WARN, 'Response without match'))).toBe('warn');
    expect(kafkaLogLevel(entry(logLevel.INFO, 'Consumer has joined the group'))).toBe('debug');
  });

  it('logs the retried CONCURRENT_TRANSACTIONS answers and the limited-retries warning at debug, as routine', () => {
    expect(kafkaLogLevel(entry(logLevel.ERROR, 'Response AddPartitionsToTxn(key: 24, version: 1)', { error: concurrent }))).toBe('debug');
    expect(kafkaLogLevel(entry(logLevel.ERROR, `Failed to send messages: ${concurrent}`, { retryCount: 0 }))).toBe('debug');
    expect(kafkaLogLevel(entry(logLevel.WARN, 'Limiting retries for the idempotent producer may invalidate EoS guarantees'))).toBe('debug');
  });
});
