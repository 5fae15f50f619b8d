import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { loadConfig } from '../../infra/config.js';
import { canonicalTag } from '../../processors/normalise/canonical.js';
import { TagFamilies } from '../../processors/normalise/families.js';
import { UserFacingError, type Command } from '../command.js';

/** Output is written in chunks of about this many characters, waiting for the reader when it falls behind. */
const CHUNK = 64 * 1024;

async function* linesOf(input: NodeJS.ReadableStream, name: string): AsyncGenerator<string> {
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) yield line;
  } catch (error) {
    throw new UserFacingError(`cannot read ${name}: ${(error as Error).message}`);
  }
}

export const tagsCanonicalCommand: Command = {
  path: ['tags', 'canonical'],
  summary: 'Print the canonical key (and families) of tags, one per line',
  help: `Usage: tagpulse tags canonical [--families] [FILE...]

Reads tags one per line (with or without '#') from the FILEs, or from standard input when there are none
or a FILE is "-", and prints for each non-empty line:

  TAG<TAB>CANONICAL-KEY

Spellings of one tag share a key: case, separators, Kazakh Cyrillic, Kazakh Latin, Russian
transliteration and homoglyphs are folded (docs/metrics.md#canonical-tags).

Options:
  --families   add a third column: the config's tag families the key belongs to, comma-separated
               (empty when none); reads --config FILE, else ./tagpulse.config.json, else the defaults
`,
  options: { families: { type: 'boolean' } },
  positionals: true,
  async run({ values, positionals, io }) {
    const families = values.families ? new TagFamilies(loadConfig(values.config as string | undefined).families) : undefined;
    const sources = positionals.length === 0 ? ['-'] : positionals;
    let pending = '';
    const flush = async () => {
      if (!io.stdout.write(pending)) await once(io.stdout, 'drain');
      pending = '';
    };
    for (const source of sources) {
      const input = source === '-' ? io.stdin : createReadStream(source);
      for await (const line of linesOf(input, source === '-' ? 'standard input' : source)) {
        const tag = line.trim();
        if (tag === '') continue;
        const key = canonicalTag(tag);
        pending += families ? `${tag}\t${key}\t${families.familiesOf(key).join(',')}\n` : `${tag}\t${key}\n`;
        if (pending.length >= CHUNK) await flush();
      }
    }
    if (pending !== '') await flush();
  },
};
