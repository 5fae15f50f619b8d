import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { FastDefaultPartitioner, murmur2 } from '../../../infra/kafka/partitioner.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;

describe('the fast murmur2 partitioner', () => {
  it('hashes every key exactly as kafkajs does (so each key keeps its partition)', () => {
    const keys: Array<Buffer | string> = ['', 'a', 'ab', 'abc', 'abcd', 'mastodon:1234', 'volume|2026-11-23T20:00:00.000Z|seruen', 'Бүгін серуен #қазақ 🎉'];
    for (let n = 0; n < 2000; n++) keys.push(randomBytes(n % 67));
    for (let n = 0; n < 500; n++) keys.push(`x:${n}:${randomBytes(8).toString('hex')}`);
    for (const key of keys) expect(murmur2(key)).toBe(kafkajsMurmur2(key));
  });

  it('chooses the same partition as the default partitioner; an explicit partition wins', () => {
    const partitioner = FastDefaultPartitioner();
    const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
    for (let n = 0; n < 300; n++) {
      const key = `k${n}`;
      expect(partitioner({ topic: 't', partitionMetadata, message: { key, value: 'v' } })).toBe((kafkajsMurmur2(key) & 0x7fffffff) % 3);
    }
    expect(partitioner({ topic: 't', partitionMetadata, message: { key: 'k1', value: 'v', partition: 2 } })).toBe(2);
    expect([0, 1, 2]).toContain(partitioner({ topic: 't', partitionMetadata, message: { value: 'v' } }));
  });
});
