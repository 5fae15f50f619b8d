import type { Command } from '../command.js';
import { schemaCommand } from './schema.js';
import { classifyCommand } from './classify.js';
import { stackDownCommand, stackStatusCommand, stackUpCommand } from './stack.js';
import { initCommand } from './init.js';
import { startCommand } from './start.js';
import { importCommand } from './import.js';
import { collectCommand } from './collect.js';
import { tagsCanonicalCommand } from './tags-canonical.js';

/** Every CLI command, in the order `tagpulse --help` lists them. Add a command by adding it here. */
export const COMMANDS: Command[] = [
  startCommand,
  stackUpCommand,
  stackDownCommand,
  stackStatusCommand,
  initCommand,
  importCommand,
  collectCommand,
  classifyCommand,
  schemaCommand,
  tagsCanonicalCommand,
];
