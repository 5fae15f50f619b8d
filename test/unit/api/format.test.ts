import { describe, expect, it } from 'vitest';
import { fieldColumns } from '../../../api/csv.js';
import { textTable } from '../../../api/format.js';

describe('terminal tables', () => {
  it('align text left and numbers right, and cut long cells (csv and json keep them whole)', () => {
    const columns = fieldColumns<{ tag: string; bucket_start: string; posts: number; text: string }>(['tag', 'bucket_start', 'posts', 'text']);
    const table = textTable(columns, [
      { tag: 'menoiandim', bucket_start: '2024-03-04T00:00:00+05:00', posts: 7, text: 'short' },
      { tag: 'family:seruen', bucket_start: '2024-03-11T00:00:00+05:00', posts: 1234, text: `${'ә'.repeat(70)}\nline` },
    ]);
    expect(table.split('\n')).toEqual([
      'tag            bucket_start               posts  text',
      'menoiandim     2024-03-04T00:00:00+05:00      7  short',
      `family:seruen  2024-03-11T00:00:00+05:00   1234  ${'ә'.repeat(59)}…`,
      '',
    ]);
  });
});
