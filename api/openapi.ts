import { z } from 'zod';
import type { Route } from './server.js';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[]; description?: string };

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** Query parameters from a params schema: lists as repeated parameters (they may also be comma-separated). */
function parameters(schema: z.ZodObject) {
  const json = jsonSchema(schema, 'input');
  return Object.entries(json.properties ?? {}).map(([name, { description, ...property }]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    ...(description ? { description } : {}),
    schema: property,
    ...(property.type === 'array' ? { style: 'form', explode: true } : {}),
  }));
}

const ERRORS = {
  400: 'A parameter is wrong; `field` names it and `error` says what is allowed',
  401: 'No key where one is needed, or a key this server does not know',
  403: "The key's role may not use this endpoint",
  429: 'Rate limit reached; Retry-After says when to try again',
};

/**
 * The OpenAPI 3.1 document of a route table, generated from the same zod schemas the server validates with, so
 * the two cannot drift. Roles are in each operation's description and its `x-role`; with anonymous access on,
 * public operations list no-key (`{}`) among their security options.
 */
export function openApiDocument(routes: readonly Route[], errorBody: z.ZodType, anonymous: boolean): unknown {
  const error = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  const paths: Record<string, unknown> = {};
  for (const route of routes) {
    const guarded = route.role !== 'open';
    const ok =
      'schema' in route.answer
        ? { description: 'OK', content: { 'application/json': { schema: jsonSchema(route.answer.schema, 'output') } } }
        : { description: route.answer.description, content: { [route.answer.contentType]: {} } };
    paths[route.path] = {
      [route.method.toLowerCase()]: {
        operationId: route.path.replace(/^\/api\//, '').replace(/[^A-Za-z0-9]+/g, '_'),
        summary: route.summary,
        description: guarded ? `Role: ${route.role} or higher.` : 'Open: no key needed.',
        'x-role': route.role,
        ...(guarded ? { security: [{ bearer: [] }, { apiKey: [] }, ...(route.role === 'public' && anonymous ? [{}] : [])] } : { security: [] }),
        parameters: route.params ? parameters(route.params) : [],
        responses: {
          200: ok,
          ...(route.params ? { 400: { description: ERRORS[400], ...error } } : {}),
          ...(guarded ? { 401: { description: ERRORS[401], ...error }, 403: { description: ERRORS[403], ...error }, 429: { description: ERRORS[429], ...error } } : {}),
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tagpulse API',
      version: '1',
      description: 'Hashtag activism and the abuse aimed at women activists: trends, co-occurrence, abuse, post search and CSV exports. Reference: docs/api.md.',
    },
    paths,
    components: {
      schemas: { Error: jsonSchema(errorBody, 'output') },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <key>' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    },
  };
}
