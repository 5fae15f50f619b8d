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
export function parseParams<S extends z.ZodObject>(schema: S, input: Record<string, unknown>, unknownWord: 'parameter' | 'option' = 'parameter'): z.output<S> {
  const allowed = parameterNames(schema);
  for (const name of Object.keys(input)) {
    if (!allowed.includes(name)) {
      const names = unknownWord === 'option' ? allowed.map((parameter) => `--${optionName(parameter)}`) : allowed;
      throw badParameter(name, `unknown ${unknownWord}; allowed: ${names.join(', ')}`);
    }
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw describeIssue(parsed.error.issues[0]!, input);
  return parsed.data;
}

/**
 * A parameter's raw value from every value it was given: a list from repeated and comma-separated values, a scalar
 * from its one value (a scalar given twice is refused rather than one copy silently winning).
 */
function rawValue(lists: ReadonlySet<string>, name: string, values: readonly unknown[]): unknown {
  if (lists.has(name)) return values.flatMap((value) => String(value).split(',')).map((value) => value.trim()).filter((value) => value !== '');
  if (values.length > 1) throw badParameter(name, `given ${values.length} times; give it once`);
  return values[0];
}

/** The raw parameter object of a query string. */
export function paramsFromQuery(schema: z.ZodObject, search: URLSearchParams): Record<string, unknown> {
  const lists = listFields(schema);
  const input: Record<string, unknown> = {};
  for (const name of new Set(search.keys())) input[name] = rawValue(lists, name, search.getAll(name));
  return input;
}

/** The same for CLI options (`--min-count 5` is `min_count`), each collected by parseArgs as every value given. */
export function paramsFromOptions(schema: z.ZodObject, options: Record<string, unknown>): Record<string, unknown> {
  const lists = listFields(schema);
  const input: Record<string, unknown> = {};
  for (const [option, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const name = option.replaceAll('-', '_');
    input[name] = rawValue(lists, name, [value].flat());
  }
  return input;
}

/** The CLI option a parameter is given with (`min_count` → `min-count`). */
export function optionName(parameter: string): string {
  return parameter.replaceAll('_', '-');
}

/**
 * The CLI options a schema's parameters become: each a string (the schema coerces) collected as every value given,
 * so a list takes them all and a scalar given twice is refused, as in a query string.
 */
export function optionsOf(schema: z.ZodObject): Record<string, { type: 'string'; multiple: true }> {
  return Object.fromEntries(parameterNames(schema).map((name) => [optionName(name), { type: 'string', multiple: true }]));
}
