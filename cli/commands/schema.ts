import { z } from 'zod';
import { PUBLISHED_SCHEMAS } from '../../schemas/index.js';
import { UsageError, type Command } from '../command.js';

const names = Object.keys(PUBLISHED_SCHEMAS);

export const schemaCommand: Command = {
  path: ['schema'],
  summary: 'Print the JSON Schema of a message, document or the config file',
  help: `Usage: tagpulse schema [NAME]

Prints JSON Schema (draft 2020-12) generated from the zod schemas in schemas/.
Without NAME, prints an object with every schema by name.

NAME is one of: ${names.join(', ')}
`,
  positionals: true,
  async run({ positionals, io }) {
    if (positionals.length > 1) throw new UsageError(`schema takes at most one NAME; names: ${names.join(', ')}`);
    const name = positionals[0];
    const toJson = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
    let out: unknown;
    if (name === undefined) {
      out = Object.fromEntries(Object.entries(PUBLISHED_SCHEMAS).map(([n, s]) => [n, toJson(s)]));
    } else {
      const schema = PUBLISHED_SCHEMAS[name];
      if (!schema) throw new UsageError(`unknown schema "${name}"; names: ${names.join(', ')}`);
      out = toJson(schema);
    }
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  },
};
