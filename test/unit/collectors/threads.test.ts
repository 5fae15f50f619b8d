import { describe, expect, it } from 'vitest';
import { PageBuilder } from '../../../ingest/framework/source.js';
import { sweepThreads, ThreadClosedError, ThreadFollower, type RepliesRequest } from '../../../ingest/framework/threads.js';
import { recordingLog } from './recording-log.js';

const DAY = 86_400_000;

function setup(now = Date.parse('2026-03-10T00:00:00Z')) {
  const clock = { now: () => now, sleep: async () => undefined };
  const follower = new ThreadFollower({ followForMs: 7 * DAY, clock, log: recordingLog() });
  const page = () => new PageBuilder({ sourceName: 'test', platform: 'vk', clock });
  return { clock, follower, page };
}

describe('following comment threads', () => {
  it('sweeps due threads in batches, pages each back to its mark, and records the newest reply it saw', async () => {
    const { follower, page } = setup();
    follower.follow('a', '2026-03-09T00:00:00Z', 'seruen');
    follower.follow('b', '2026-03-09T00:00:00Z', 'seruen');
    follower.follow('c', '2026-03-01T00:00:00Z', 'metoo'); // its window ended, but it was never visited: visited once
    const requests: RepliesRequest[] = [];
    const sweep = sweepThreads(follower, {
      batchSize: () => 2,
      async fetchReplies(request) {
        requests.push(request);
        if (request.threads[0] === 'a' && !request.next) return { page: page(), newest: '50', older: '40' };
        if (request.threads[0] === 'a') return { page: page(), newest: '39' };
        return { page: page(), newest: '7' };
      },
    });
    const signal = new AbortController().signal;
    let result = await sweep({}, signal);
    expect(result).toMatchObject({ done: false, cursor: { pending: [{ thread: 'a' }, { thread: 'b' }, { thread: 'c' }], batch: { size: 2, run: { top: '50', next: '40' } } } });
    result = await sweep(result.cursor, signal);
    expect(result).toMatchObject({ done: false, cursor: { pending: [{ thread: 'c' }] } });
    expect(follower.get('a')).toMatchObject({ since: '50', visitedAt: expect.any(Number) });
    expect(follower.get('b')).toMatchObject({ since: '50' });
    result = await sweep(result.cursor, signal);
    expect(result).toMatchObject({ done: true, cursor: {} });
    expect(requests.map((r) => [r.threads.join(','), r.next])).toEqual([
      ['a,b', undefined],
      ['a,b', '40'],
      ['c', undefined],
    ]);
    // The next sweep: c's window is over and it has been visited, so it is no longer followed.
    expect(follower.due()).toEqual(['a', 'b']);
  });

  it('skips threads whose reply count did not move, drops vanished and closed ones, and never visits a post without replies', async () => {
    const { follower } = setup();
    for (const t of ['a', 'b', 'c', 'd']) follower.follow(t, '2026-03-09T00:00:00Z', 'seruen');
    follower.visited('a', '10', 3);
    const visited: string[] = [];
    const sweep = sweepThreads(follower, {
      replyCounts: async () => new Map([['a', 3], ['b', 0], ['c', 5]]), // d is gone
      async fetchReplies({ threads }) {
        visited.push(...threads);
        throw new ThreadClosedError('comments turned off');
      },
    });
    const result = await sweep({}, new AbortController().signal);
    expect(result.done).toBe(true);
    expect(visited).toEqual(['c']);
    expect(follower.snapshot()).toMatchObject({ a: { since: '10' }, b: { replies: 0, visitedAt: expect.any(Number) } });
    expect(Object.keys(follower.snapshot()).sort()).toEqual(['a', 'b']);
  });
});
