import type { z } from 'zod';
import { RawEnvelope, type DeadLetter, type Platform, type RawItem } from '../../schemas/index.js';
import { describeIssues } from '../../infra/config.js';
import { MAX_NESTING_DEPTH, nestsDeeperThan, previewJson } from '../wire.js';
import type { ImportContext, ImportEvent } from './format.js';

/** Where in the file a thing came from, beside the file itself: a line, an index in a page or chat. */
export type Origin = Record<string, string | number>;

export interface EnvelopeParts {
  platform: Platform;
  platformId: string;
  item: z.input<typeof RawItem>;
  /** The platform's original item, untouched. */
  payload: unknown;
  /** The export's own collection time, when it records one; otherwise the file's mtime is used. */
  collectedAt?: string;
}

export interface Rejection {
  /** Short machine-readable class: `schema`, `json`, `encoding`, `csv`, `too-large`, `too-deep`, `format`. */
  reason: string;
  detail: string;
  origin: Origin;
  raw: unknown;
  rawEncoding?: DeadLetter['rawEncoding'];
}

export function reject(context: ImportContext, rejection: Rejection): ImportEvent {
  return {
    rejected: {
      schema: 'tagpulse.deadletter/1',
      stage: `import:${context.format}`,
      reason: rejection.reason,
      detail: rejection.detail,
      at: context.rejectedAt,
      origin: { file: context.file, ...rejection.origin },
      raw: rejection.raw,
      rawEncoding: rejection.rawEncoding ?? 'json',
    },
  };
}

/** A dead letter for an item that failed its format's zod schema, with the issues as detail. */
export function rejectInvalid(context: ImportContext, error: z.ZodError, origin: Origin, raw: unknown): ImportEvent {
  return reject(context, { reason: 'schema', detail: describeIssues(error.issues), origin, raw });
}

/**
 * Builds the raw envelope every importer produces, and checks it against the published schema,
 * so a mapping mistake (a URL that is not one, an empty id) is a dead letter rather than a bad message.
 */
export function toEnvelope(context: ImportContext, parts: EnvelopeParts, origin: Origin): ImportEvent {
  // JSON.parse reads any depth, JSON.stringify (the producer's) overflows the stack: such an item is refused
  // here, with a text form of its beginning as the raw copy, rather than crashing the import at the sink.
  if (nestsDeeperThan(parts.payload)) {
    return reject(context, {
      reason: 'too-deep',
      detail: `${parts.platform}:${parts.platformId} nests deeper than the ${MAX_NESTING_DEPTH} levels an item may (the raw copy is its truncated text form)`,
      origin,
      raw: previewJson(parts.payload),
      rawEncoding: 'utf8',
    });
  }
  const parsed = RawEnvelope.safeParse({
    schema: 'tagpulse.raw/1',
    source: `import:${context.format}`,
    platform: parts.platform,
    platformId: parts.platformId,
    collectedAt: parts.collectedAt ?? context.fileCollectedAt,
    item: parts.item,
    payload: parts.payload,
  });
  if (!parsed.success) return rejectInvalid(context, parsed.error, origin, parts.payload);
  return { envelope: parsed.data };
}
