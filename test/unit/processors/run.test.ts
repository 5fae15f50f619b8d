import { KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { UserFacingError } from '../../../cli/command.js';
import { fatal, wasFenced } from '../../../processors/run.js';
import { TagpulseConfig } from '../../../schemas/index.js';

const config = TagpulseConfig.parse({});
/** A broker error as kafkajs hands it to a stage: the retrier's error, caused by the broker's protocol error. */
const brokerError = (type: string) => {
  const protocol = new KafkaJSProtocolError({ message: type, type, code: 0, retriable: false } as never);
  return Object.assign(new KafkaJSNonRetriableError(protocol), { cause: protocol });
};

describe('which stage failures a restart cannot cure', () => {
  it('restarts after a first fencing (a transaction stalled past its timeout), and gives way when fenced again soon after', () => {
    expect(wasFenced(brokerError('PRODUCER_FENCED'))).toBe(true);
    expect(fatal(brokerError('PRODUCER_FENCED'), config)).toBeUndefined();
    expect(fatal(brokerError('PRODUCER_FENCED'), config, true)).toBeInstanceOf(UserFacingError);
    expect(fatal(brokerError('INVALID_PRODUCER_EPOCH'), config, true)?.message).toMatch(/another `tagpulse process` runs it/);
  });

  it('stops, rather than retry the same batch forever, when a record is larger than its topic takes', () => {
    expect(fatal(brokerError('MESSAGE_TOO_LARGE'), config)?.message).toMatch(/max\.message\.bytes/);
  });

  it('restarts on anything else (a broker briefly gone)', () => {
    expect(fatal(brokerError('NOT_COORDINATOR'), config, true)).toBeUndefined();
    expect(wasFenced(brokerError('NOT_COORDINATOR'))).toBe(false);
    expect(fatal(new Error('Connection error: ECONNREFUSED'), config)).toBeUndefined();
  });
});
