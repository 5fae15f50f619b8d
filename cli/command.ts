import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A CLI usage error: the message says what is wrong and what is allowed; the CLI prints it in one line and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** An operational failure with a message a user can act on (Java missing, a port taken...): one line, exit 1. */
export class UserFacingError extends Error {
  override name = 'UserFacingError';
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface CommandArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
  io: CommandIo;
}

/**
 * One CLI command. `path` is how it is called (`['stack', 'up']`), `help` the full text `--help` prints.
 * Options are parsed strictly with node:util parseArgs; `--config` and `--help` are added for every command.
 */
export interface Command {
  path: string[];
  summary: string;
  help: string;
  options?: OptionSpec;
  /** Whether positionals are accepted (the help text says which). */
  positionals?: boolean;
  run(args: CommandArgs): Promise<number | void>;
}

/**
 * What the dispatcher knows of a command before loading it: enough for `tagpulse --help` and for finding the
 * command. `load` imports the command's module (and with it whatever the command needs) only when it is run or
 * asked for its own --help, so one command never pays for another's dependencies at start-up.
 */
export interface CommandEntry {
  path: string[];
  summary: string;
  load(): Promise<Command>;
}

export const GLOBAL_OPTIONS: OptionSpec = {
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string' },
};

export function parseCommandArgs(command: Command, argv: string[]): Omit<CommandArgs, 'io'> {
  const options = { ...GLOBAL_OPTIONS, ...command.options };
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options,
      allowPositionals: command.positionals ?? false,
      strict: true,
    });
    return { values: values as CommandArgs['values'], positionals };
  } catch (error) {
    const allowed = Object.keys(options)
      .map((name) => `--${name}`)
      .join(', ');
    throw new UsageError(
      `${(error as Error).message.replace(/\. To specify a positional.*$/s, '')}. ` +
        `\`tagpulse ${command.path.join(' ')}\` takes: ${allowed}. See \`tagpulse ${command.path.join(' ')} --help\`.`,
    );
  }
}

/** Reads a string option that must be one of `allowed`, with a usage error naming both otherwise. */
export function choice<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
}
