import type { Command } from '../command.js';
import { schemaCommand } from './schema.js';

/** Every CLI command, in the order `tagpulse --help` lists them. Add a command by adding it here. */
export const COMMANDS: Command[] = [
  schemaCommand,
];
