import { reject } from './envelope.js';
import type { ImportFormat } from './format.js';
import { readGenericItem } from './generic-item.js';
import { readJsonLines } from './lines.js';

/** Tagpulse's generic format as JSON Lines: one object per line with the columns of docs/imports.md. */
export const genericJsonl: ImportFormat = {
  summary: 'JSON Lines in Tagpulse\'s generic format (docs/imports.md)',
  takesPlatform: true,
  async *read({ chunks, context }) {
    for await (const entry of readJsonLines(chunks)) {
      if ('malformed' in entry) yield reject(context, entry.malformed);
      else yield readGenericItem(context, entry.value, { line: entry.line });
    }
  },
};
