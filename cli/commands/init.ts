import { loadConfig } from '../../infra/config.js';
import type { BootstrapChange } from '../../infra/store/bootstrap.js';
import type { Command } from '../command.js';

export function printChanges(out: NodeJS.WritableStream, changes: readonly BootstrapChange[]): void {
  for (const change of changes) {
    out.write(`${change.action.padEnd(9)} ${change.target}${change.detail ? `  (${change.detail})` : ''}\n`);
  }
  const changed = changes.filter((c) => c.action !== 'unchanged').length;
  out.write(changed ? `init: ${changed} of ${changes.length} targets changed\n` : `init: all ${changes.length} targets already up to date\n`);
}

export const initCommand: Command = {
  path: ['init'],
  summary: 'Create or update Kafka topics and search indices (idempotent)',
  help: `Usage: tagpulse init [--json]

Creates every Kafka topic (partitions, retention and compaction as docs/data-model.md lists them) and every
index template, versioned index and alias in the search engine. Safe to run any number of times: a run that
finds everything in place changes nothing and says "all targets already up to date". A changed index
definition with a bumped version is migrated: new index, reindex, atomic alias swap (the old index is kept).
`,
  options: { json: { type: 'boolean' } },
  async run({ values, io }) {
    const { initialise } = await import('../../infra/init.js');
    const changes = await initialise(loadConfig(values.config as string | undefined));
    if (values.json) io.stdout.write(`${JSON.stringify(changes, null, 2)}\n`);
    else printChanges(io.stdout, changes);
  },
};
