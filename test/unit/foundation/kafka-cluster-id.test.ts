import { describe, expect, it } from 'vitest';
import { newClusterId } from '../../../infra/local/kafka-node.js';

describe('newClusterId', () => {
  it('draws again when an id would start with "-", which kafka-storage would read as an option', () => {
    // 0xf8 encodes to '-' as the first base64url character.
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x00)];
    const id = newClusterId(() => draws.shift()!);
    expect(id).toBe('AAAAAAAAAAAAAAAAAAAAAA');
    expect(draws).toHaveLength(0);
  });

  it('makes a 22-character base64url id, the form Kafka uuids take', () => {
    expect(newClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
