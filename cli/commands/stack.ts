import { loadConfig } from '../../infra/config.js';
import { stackDown, stackStatus, stackUp, type StackStatus } from '../../infra/local/stack.js';
import { stackHome } from '../../infra/local/paths.js';
import type { Command } from '../command.js';
import { printChanges } from './init.js';

const STACK_HELP_TAIL = `
The local stack runs without Docker: a Kafka ${'3.9.1'} broker (KRaft, one node) and an OpenSearch 2.19 node,
as Java processes whose jars Maven fetches once into ~/.cache/tagpulse/jars (TAGPULSE_JAR_CACHE).
Addresses come from the config: kafka.brokers[0] (controller on the next port) and search.node.
Data and logs: .tagpulse/ in the project (TAGPULSE_HOME). Needs Java 17+ and, the first time, Maven.`;

export const stackUpCommand: Command = {
  path: ['stack', 'up'],
  summary: 'Start the local Kafka and OpenSearch (or reuse running ones), then run init',
  help: `Usage: tagpulse stack up [--no-init]

Starts what is not already running, waits until both servers answer (up to 3 minutes each),
then runs \`tagpulse init\` unless --no-init. A server already answering on its address is reused;
a port held by anything else is an error that names the port.
${STACK_HELP_TAIL}
`,
  options: { 'no-init': { type: 'boolean' } },
  async run({ values, io }) {
    const config = loadConfig(values.config as string | undefined);
    const result = await stackUp(config, stackHome(), (line) => io.stderr.write(`${line}\n`));
    io.stdout.write(`stack up: started [${result.started.join(', ')}], reused [${result.reused.join(', ')}]\n`);
    if (!values['no-init']) {
      // Kafka's and the search engine's clients are loaded only here, not for `stack status` or `stack down`.
      const { initialise } = await import('../../infra/init.js');
      printChanges(io.stdout, await initialise(config));
    }
  },
};

export const stackDownCommand: Command = {
  path: ['stack', 'down'],
  summary: 'Stop the local servers that `stack up` started (and nothing else)',
  help: `Usage: tagpulse stack down

Stops the processes that \`tagpulse stack up\` started, proved by their pid files and command-line markers;
servers it reused or that someone else started are left running. Data stays in .tagpulse/.
`,
  async run({ values, io }) {
    const config = loadConfig(values.config as string | undefined);
    const stopped = await stackDown(config);
    io.stdout.write(stopped.length ? `stack down: stopped ${stopped.join(', ')}\n` : 'stack down: nothing of ours was running\n');
  },
};

function describe(status: StackStatus): string {
  return Object.entries(status)
    .map(([name, s]) => {
      const state = s.running ? 'running' : 'stopped';
      const owner = s.ours ? ` (ours, pid ${s.pid})` : s.running ? ' (not started by this stack)' : '';
      const facts = Object.entries(s.details)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
        .join(' ');
      return `${name.padEnd(6)} ${state}${owner} at ${s.address}${facts ? `\n       ${facts}` : ''}`;
    })
    .join('\n');
}

export const stackStatusCommand: Command = {
  path: ['stack', 'status'],
  summary: 'Show what runs, with the versions the servers themselves report',
  help: `Usage: tagpulse stack status [--json]

For Kafka: cluster id and broker count (Metadata/DescribeCluster) and the broker version, read from the
ApiVersions protocol answer (the highest metadata.version the broker supports, e.g. 3.9-IV0 → 3.9).
For the search engine: engine name, version and cluster health from GET / and /_cluster/health.
Exit code 0 when both run, 1 otherwise.
`,
  options: { json: { type: 'boolean' } },
  async run({ values, io }) {
    const config = loadConfig(values.config as string | undefined);
    const status = await stackStatus(config);
    io.stdout.write(values.json ? `${JSON.stringify(status, null, 2)}\n` : `${describe(status)}\n`);
    return Object.values(status).every((s) => s.running) ? 0 : 1;
  },
};
