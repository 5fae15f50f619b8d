import { describe, expect, it } from 'vitest';
import { advanceTimeline } from '../../../ingest/framework/timeline.js';

describe('newest-first timeline cursor', () => {
  it('keeps the old mark while a run pages back, and stores the run top only when the backfill is complete', () => {
    let state = advanceTimeline({ highWater: '100' }, { newest: '180', older: '141' });
    expect(state).toEqual({ cursor: { highWater: '100', run: { top: '180', next: '141' } }, done: false });
    // A later page's newest never replaces the run's top.
    state = advanceTimeline(state.cursor, { newest: '140', older: '101' });
    expect(state).toEqual({ cursor: { highWater: '100', run: { top: '180', next: '101' } }, done: false });
    state = advanceTimeline(state.cursor, { newest: undefined, older: undefined });
    expect(state).toEqual({ cursor: { highWater: '180' }, done: true });
  });

  it('a run with nothing new keeps its mark; a first run with an empty timeline has none', () => {
    expect(advanceTimeline({ highWater: '100' }, {})).toEqual({ cursor: { highWater: '100' }, done: true });
    expect(advanceTimeline({}, {})).toEqual({ cursor: { highWater: undefined }, done: true });
  });

  it('a run whose first page had no readable position falls back to the old mark rather than skipping ahead', () => {
    const state = advanceTimeline({ highWater: '100' }, { newest: undefined, older: '150' });
    expect(state.cursor.run).toEqual({ top: undefined, next: '150' });
    expect(advanceTimeline(state.cursor, {}).cursor).toEqual({ highWater: '100' });
  });
});
