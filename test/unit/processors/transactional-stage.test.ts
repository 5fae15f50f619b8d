import { describe, expect, it } from 'vitest';
import type { Message } from 'kafkajs';
import { produceRequests } from '../../../processors/runtime/transactional-stage.js';

const message = (key: string, bytes: number): Message => ({ key, value: 'x'.repeat(bytes) });

describe('produceRequests', () => {
  it('splits a transaction’s outputs into requests under the byte limit, keeping each topic’s order', () => {
    const outputs = new Map([
      ['volume', Array.from({ length: 10 }, (_, i) => message(`v${i}`, 100))],
      ['changelog', Array.from({ length: 5 }, (_, i) => message(`c${i}`, 100))],
    ]);
    const requests = produceRequests(outputs, 450);
    for (const request of requests) {
      const bytes = request.flatMap((t) => t.messages).reduce((sum, m) => sum + 32 + String(m.key).length + String(m.value).length, 0);
      expect(bytes).toBeLessThanOrEqual(450);
    }
    const sent = (topic: string) => requests.flatMap((r) => r.filter((t) => t.topic === topic).flatMap((t) => t.messages.map((m) => m.key)));
    expect(sent('volume')).toEqual(outputs.get('volume')!.map((m) => m.key));
    expect(sent('changelog')).toEqual(outputs.get('changelog')!.map((m) => m.key));
  });

  it('sends a message larger than the limit alone rather than never', () => {
    const requests = produceRequests(new Map([['posts', [message('small', 10), message('big', 1000), message('after', 10)]]]), 100);
    expect(requests.map((r) => r.flatMap((t) => t.messages.map((m) => m.key)))).toEqual([['small'], ['big'], ['after']]);
  });

  it('makes no request when there is nothing to send', () => {
    expect(produceRequests(new Map())).toEqual([]);
  });
});
