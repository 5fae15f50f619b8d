import type { DeadLetter, RawEnvelope } from '../schemas/index.js';

/**
 * How deep a platform item may nest (objects and arrays inside each other). Real items nest a few tens of
 * levels (X's GraphQL items, the deepest we read, about 20); JSON.stringify recurses and overflows the stack
 * somewhere past a few thousand, so anything deeper than this is refused before it reaches the producer.
 */
export const MAX_NESTING_DEPTH = 256;

/** Bytes of a record's framing in a Kafka record batch (length, attributes, varints, key), kept free of the limit. */
const RECORD_OVERHEAD_BYTES = 1024;

/** The raw copy kept in a dead letter whose full raw input would not fit (or cannot be serialised): at most this many characters. */
export const DEAD_LETTER_RAW_PREVIEW_CHARS = 64 * 1024;

/**
 * Whether `value` nests deeper than `limit` levels. Iterative (an explicit stack), so a value nested 100,000
 * deep cannot overflow the call stack here; stops at the first path that goes too deep.
 */
export function nestsDeeperThan(value: unknown, limit = MAX_NESTING_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth + 1 > limit) return true;
    const children = Array.isArray(node) ? node : Object.values(node as Record<string, unknown>);
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * A text form of any value for a dead letter: JSON, with whatever nests deeper than `maxDepth` written as
 * `"…"`, cut after about `maxChars` characters. Never throws and never recurses deeper than `maxDepth`.
 */
export function previewJson(value: unknown, maxChars = DEAD_LETTER_RAW_PREVIEW_CHARS, maxDepth = 64): string {
  let out = '';
  const write = (node: unknown, depth: number): void => {
    if (out.length > maxChars) return;
    if (typeof node === 'string') {
      out += JSON.stringify(node.length > maxChars ? node.slice(0, maxChars) : node);
      return;
    }
    if (typeof node !== 'object' || node === null) {
      out += typeof node === 'bigint' ? `"${node}"` : (JSON.stringify(node) ?? 'null');
      return;
    }
    if (depth >= maxDepth) {
      out += '"…"';
      return;
    }
    if (Array.isArray(node)) {
      out += '[';
      node.forEach((child, i) => {
        if (out.length > maxChars) return;
        if (i > 0) out += ',';
        write(child, depth + 1);
      });
      out += ']';
      return;
    }
    out += '{';
    let first = true;
    for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
      if (out.length > maxChars) break;
      if (child === undefined || typeof child === 'function') continue;
      out += `${first ? '' : ','}${JSON.stringify(key)}:`;
      first = false;
      write(child, depth + 1);
    }
    out += '}';
  };
  try {
    write(value, 0);
  } catch (error) {
    out += ` [preview stopped: ${(error as Error).message}]`;
  }
  return out.length > maxChars ? out.slice(0, maxChars) : out;
}

/** The most a record's value may hold on a topic whose `max.message.bytes` is `topicMaxBytes`. */
export function maxValueBytes(topicMaxBytes: number): number {
  return topicMaxBytes - RECORD_OVERHEAD_BYTES;
}

export type Serialised = { value: string; bytes: number } | { reason: 'unserialisable' | 'too-deep' | 'too-large'; detail: string };

/** JSON of one message, or why it cannot be sent: it does not serialise, or it is over `maxBytes`. */
export function serialise(value: unknown, maxBytes: number): Serialised {
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    const deep = error instanceof RangeError || nestsDeeperThan(value);
    return {
      reason: deep ? 'too-deep' : 'unserialisable',
      detail: deep
        ? `cannot be serialised: nests deeper than JSON serialisation goes (${(error as Error).message})`
        : `cannot be serialised as JSON: ${(error as Error).message}`,
    };
  }
  const bytes = Buffer.byteLength(text);
  if (bytes > maxBytes) return { reason: 'too-large', detail: `serialised it is ${bytes} bytes, more than the ${maxBytes} a message on its topic may hold` };
  return { value: text, bytes };
}

/** The dead letter of an envelope that cannot go to the raw topic; its raw copy is the envelope, fitted later by `fitDeadLetter`. */
export function envelopeLetter(envelope: RawEnvelope, stage: string, at: string, reason: string, detail: string): DeadLetter {
  return {
    schema: 'tagpulse.deadletter/1',
    stage,
    reason,
    detail: `${envelope.platform}:${envelope.platformId} ${detail}`,
    at,
    origin: { source: envelope.source, platform: envelope.platform, platformId: envelope.platformId },
    raw: envelope,
    rawEncoding: 'json',
  };
}

/**
 * A dead letter as the JSON that fits on the dead-letter topic: as it is when it serialises within `maxBytes`,
 * otherwise with its raw copy replaced by a truncated text form (`rawEncoding: utf8`) and the detail saying so.
 */
export function fitDeadLetter(letter: DeadLetter, maxBytes: number): string {
  const whole = serialise(letter, maxBytes);
  if ('value' in whole) return whole.value;
  for (let chars = DEAD_LETTER_RAW_PREVIEW_CHARS; ; chars = Math.floor(chars / 4)) {
    const preview = previewJson(letter.raw, chars);
    const fitted: DeadLetter = {
      ...letter,
      detail: `${letter.detail.slice(0, 4096)} [raw copy truncated to its first ${preview.length} characters as text: the whole ${whole.reason === 'too-large' ? 'is too large' : 'cannot be serialised'}]`,
      raw: preview,
      rawEncoding: 'utf8',
    };
    const attempt = serialise(fitted, maxBytes);
    if ('value' in attempt) return attempt.value;
    if (chars < 16) return JSON.stringify({ ...fitted, raw: null, origin: {} });
  }
}

/**
 * Splits messages into groups whose values add up to at most `maxBytes` (a group of one may reach it alone),
 * so no produce request carries a record batch over the topic's limit.
 */
export function* bySize<T extends { value: string | Buffer | null; key?: string | Buffer | null }>(messages: readonly T[], maxBytes: number): Generator<T[]> {
  let group: T[] = [];
  let size = 0;
  for (const message of messages) {
    const bytes = length(message.value) + length(message.key) + 64;
    if (group.length > 0 && size + bytes > maxBytes) {
      yield group;
      group = [];
      size = 0;
    }
    group.push(message);
    size += bytes;
  }
  if (group.length > 0) yield group;
}

function length(value: string | Buffer | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}
