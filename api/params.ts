import { z } from 'zod';
import { ApiError, badParameter } from './errors.js';

/** Parameter names whose JSON Schema is an array: they may be repeated or comma-separated. */
const listFieldsCache = new WeakMap<z.ZodObject, ReadonlySet<string>>();

function listFields(schema: z.ZodObject): ReadonlySet<string> {
  let fields = listFieldsCache.get(schema);
  if (!fields) {
    const json = z.toJSONSchema(schema, { io: 'input' }) as { properties?: Record<string, { type?: string }> };
    fields = new Set(Object.entries(json.properties ?? {}).filter(([, p]) => p.type === 'array').map(([name]) => name));
    listFieldsCache.set(schema, fields);
  }
  return fields;
}

/** The parameter names a schema takes, for error messages. */
export function parameterNames(schema: z.ZodObject): string[] {
  return Object.keys(schema.shape);
}

function describeIssue(issue: z.core.$ZodIssue, input: Record<string, unknown>): ApiError {
  const field = String(issue.path[0] ?? '');
  const given = input[field];
  const got = given === undefined ? '' : ` (got ${JSON.stringify(given)})`;
  if (issue.code === 'invalid_value' && 'values' in issue) {
    return badParameter(field, `must be one of ${issue.values.map(String).join(', ')}${got}`);
  }
  if (issue.code === 'invalid_type' && given === undefined) return badParameter(field, 'is required');
  return badParameter(field, `${issue.message}${got}`);
}

/**
 * Validates parameters against their schema: an unknown name is a 400 listing the names taken; a bad value is a
 * 400 naming the parameter, what is allowed and what was given.
 */
export function parseParams<S extends z.ZodObject>(schema: S, input: Record<string, unknown>, unknownWord = 'parameter'): z.output<S> {
  const allowed = parameterNames(schema);
  for (const name of Object.keys(input)) {
    if (!allowed.includes(name)) {
      throw badParameter(name, `unknown ${unknownWord}; allowed: ${allowed.join(', ')}`);
    }
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw describeIssue(parsed.error.issues[0]!, input);
  return parsed.data;
}

/**
 * The raw parameter object of a query string: lists from repeated and comma-separated values, scalars as their one
 * value (a scalar given twice is refused rather than one copy silently winning).
 */
export function paramsFromQuery(schema: z.ZodObject, search: URLSearchParams): Record<string, unknown> {
  const lists = listFields(schema);
  const input: Record<string, unknown> = {};
  for (const name of new Set(search.keys())) {
    const values = search.getAll(name);
    if (lists.has(name)) {
      input[name] = values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '');
    } else if (values.length > 1) {
      throw badParameter(name, `given ${values.length} times; give it once`);
    } else {
      input[name] = values[0];
    }
  }
  return input;
}

/** The same for CLI options (`--min-count 5` is `min_count`), whose list options parseArgs already collected. */
export function paramsFromOptions(schema: z.ZodObject, options: Record<string, unknown>): Record<string, unknown> {
  const lists = listFields(schema);
  const input: Record<string, unknown> = {};
  for (const [option, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const name = option.replaceAll('-', '_');
    input[name] = lists.has(name)
      ? [value].flat().flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter((v) => v !== '')
      : value;
  }
  return input;
}

/** The CLI option a parameter is given with (`min_count` → `min-count`). */
export function optionName(parameter: string): string {
  return parameter.replaceAll('_', '-');
}

/** The CLI options a schema's parameters become: lists repeatable, everything a string (the schema coerces). */
export function optionsOf(schema: z.ZodObject): Record<string, { type: 'string'; multiple?: boolean }> {
  const lists = listFields(schema);
  return Object.fromEntries(
    parameterNames(schema).map((name) => [optionName(name), lists.has(name) ? { type: 'string', multiple: true } : { type: 'string' }]),
  );
}
