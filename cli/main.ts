import { COMMANDS } from './commands/index.js';
import { parseCommandArgs, UsageError, UserFacingError, type CommandEntry, type CommandIo } from './command.js';

const io: CommandIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.path.join(' ').length));
  const lines = COMMANDS.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return [
    'Usage: tagpulse <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Every command takes --help, and --config FILE (default ./tagpulse.config.json, else built-in defaults).',
    '',
  ].join('\n');
}

/** The longest command path that prefixes argv wins, so `stack up` beats a hypothetical `stack`. */
function findCommand(argv: string[]): { entry: CommandEntry; rest: string[] } | undefined {
  let best: CommandEntry | undefined;
  for (const command of COMMANDS) {
    const matches = command.path.every((word, i) => argv[i] === word);
    if (matches && (!best || command.path.length > best.path.length)) best = command;
  }
  return best ? { entry: best, rest: argv.slice(best.path.length) } : undefined;
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout.write(topHelp());
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = COMMANDS.filter((c) => c.path[0] === argv[0]);
    if (group.length > 0) {
      throw new UsageError(
        `\`tagpulse ${argv[0]}\` needs a subcommand: ${group.map((c) => c.path.slice(1).join(' ')).join(', ')}`,
      );
    }
    throw new UsageError(
      `unknown command "${argv[0]}". Commands: ${[...new Set(COMMANDS.map((c) => c.path[0]))].join(', ')}. See \`tagpulse --help\`.`,
    );
  }
  const { entry, rest } = found;
  // Only now is the command's module loaded, with what it needs; the help above needed none of it.
  const command = await entry.load();
  const parsed = parseCommandArgs(command, rest);
  if (parsed.values.help) {
    io.stdout.write(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
    return 0;
  }
  return (await command.run({ ...parsed, io })) ?? 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      io.stderr.write(`tagpulse: ${error.message}\n`);
      process.exitCode = 2;
    } else if (error instanceof UserFacingError) {
      io.stderr.write(`tagpulse: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      io.stderr.write(`tagpulse: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
