import { describe, expect, it } from 'vitest';
import { conversationQuery, conversationsPerQuery, MAX_QUERY_LENGTH, searchWindow, snowflakeTime } from '../../../ingest/sources/x/source.js';
import { snowflake } from '../../fakes/x.js';

describe('X recent search helpers', () => {
  it('reads a post’s creation time from its snowflake id', () => {
    expect(new Date(snowflakeTime('1460323737035677698')).toISOString().slice(0, 10)).toBe('2021-11-15');
    expect(snowflakeTime(snowflake(Date.parse('2026-03-08T04:00:00Z'), 9))).toBe(Date.parse('2026-03-08T04:00:00Z'));
  });

  it('uses since_id inside the seven-day window, and start_time (with the gap named) outside it', () => {
    const now = Date.parse('2026-03-08T12:00:00Z');
    const recent = snowflake(now - 6 * 86_400_000);
    expect(searchWindow(recent, now)).toEqual({ since_id: recent });
    expect(searchWindow(undefined, now)).toEqual({});
    const old = snowflake(now - 8 * 86_400_000);
    expect(searchWindow(old, now)).toEqual({ start_time: '2026-03-01T12:01:00Z', gapSince: '2026-02-28T12:00:00.000Z' });
  });

  it('batches conversations into queries that fit the query length', () => {
    const ids = Array.from({ length: 40 }, (_, i) => snowflake(Date.parse('2026-03-08T04:00:00Z') + i * 1000));
    const n = conversationsPerQuery(ids);
    expect(conversationQuery(ids.slice(0, n)).length).toBeLessThanOrEqual(MAX_QUERY_LENGTH);
    expect(conversationQuery(ids.slice(0, n + 1)).length).toBeGreaterThan(MAX_QUERY_LENGTH);
    expect(conversationQuery(ids.slice(0, 2))).toBe(`(conversation_id:${ids[0]} OR conversation_id:${ids[1]}) -is:retweet`);
    expect(conversationsPerQuery(ids.slice(0, 1), 10)).toBe(1);
  });
});
