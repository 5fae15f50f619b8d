import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { printSummary } from '../../../cli/commands/collect.js';

describe('collect --once summary', () => {
  it('shows a query stopped at a platform limit as such, and does not count it as a failure', () => {
    const out = new PassThrough();
    const failed = printSummary(out, [
      {
        source: 'youtube',
        queries: [
          { query: 'seruen', pages: 2, fetched: 100, sent: 98, rejected: 1, complete: false, limitReached: "YouTube search.list calls: today's budget of 100 is spent" },
          { query: '@replies', pages: 3, fetched: 160, sent: 160, rejected: 0, complete: true },
        ],
      },
    ]);
    const text = (out.read() as Buffer).toString();
    expect(failed).toBe(false);
    expect(text).toMatch(/^youtube\s+seruen\s+2\s+100\s+98\s+1\s+-\s+stopped at a limit \(continues next run\): YouTube search\.list calls/m);
    expect(text).toMatch(/^youtube\s+@replies\s+3\s+160\s+160\s+0\s+-\s+complete$/m);
  });
});
