import type { z } from 'zod';
import { describeIssues } from '../../infra/config.js';
import type { DeadLetter } from '../../schemas/index.js';
import type { Emit, InputRecord } from '../runtime/processor.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a record's value as JSON valid for `schema`. Anything else is replaced by a dead letter (keyed by stage,
 * with the record's topic/partition/offset, the reason and the input as received), emitted for the stage to
 * produce in the same transaction as its other outputs, and undefined is returned: processing goes on and
 * nothing is lost or dropped silently.
 */
export function readOrDeadLetter<T>(record: InputRecord, schema: z.ZodType<T>, stage: string, deadLetterTopic: string, emit: Emit): T | undefined {
  const reject = (reason: string, detail: string, raw: unknown, rawEncoding: DeadLetter['rawEncoding']): undefined => {
    const letter: DeadLetter = {
      schema: 'tagpulse.deadletter/1',
      stage,
      reason,
      detail,
      at: new Date().toISOString(),
      origin: { topic: record.topic, partition: record.partition, offset: record.offset },
      raw,
      rawEncoding,
    };
    emit({ topic: deadLetterTopic, key: stage, value: JSON.stringify(letter) });
    return undefined;
  };
  if (record.value === null) return reject('empty', 'the record has no value', null, 'json');
  let text = record.value.toString('utf8');
  // toString replaces invalid bytes with U+FFFD; only then is the strict decoder needed to tell which it was.
  if (text.includes('\uFFFD')) {
    try {
      text = strictUtf8.decode(record.value);
    } catch (error) {
      return reject('encoding', (error as Error).message, record.value.toString('base64'), 'base64');
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return reject('json', (error as Error).message, text, 'utf8');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return reject('schema', describeIssues(parsed.error.issues), json, 'json');
  return parsed.data;
}
