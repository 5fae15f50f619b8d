import { DEFAULT_MAX_RECORD_BYTES, decodeUtf8, PendingBytes, withoutBom } from './bytes.js';
import type { Rejection } from './envelope.js';

const LF = 0x0a;
const CR = 0x0d;

export type Line = { bytes: Buffer; line: number } | { tooLarge: number; line: number };

/**
 * Splits a byte stream into lines (LF or CRLF), numbered from 1. A line longer than `maxLineBytes`
 * is reported by size and skipped, so a file without newlines cannot exhaust memory.
 */
export async function* readLines(
  chunks: AsyncIterable<Uint8Array>,
  maxLineBytes = DEFAULT_MAX_RECORD_BYTES,
): AsyncGenerator<Line> {
  const pending = new PendingBytes();
  let line = 1;
  let oversize = 0;
  const finish = (tail: Uint8Array): Line => {
    const size = (oversize > 0 ? oversize : pending.length) + tail.length;
    if (oversize > 0 || size > maxLineBytes) {
      oversize = 0;
      pending.clear();
      return { tooLarge: size, line };
    }
    const bytes = pending.take(tail);
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    return { bytes: bytes.subarray(0, end), line };
  };
  for await (const bytes of withoutBom(chunks)) {
    // Buffer's indexOf is a memchr; a plain Uint8Array's is an element-by-element loop.
    const chunk = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let start = 0;
    for (let newline = chunk.indexOf(LF); newline !== -1; newline = chunk.indexOf(LF, start)) {
      yield finish(chunk.subarray(start, newline));
      start = newline + 1;
      line += 1;
    }
    const tail = chunk.subarray(start);
    if (oversize > 0) {
      oversize += tail.length;
    } else if (pending.length + tail.length > maxLineBytes) {
      oversize = pending.length + tail.length;
      pending.clear();
    } else {
      pending.add(tail);
    }
  }
  if (pending.length > 0 || oversize > 0) yield finish(new Uint8Array(0));
}

export type JsonLine = { value: unknown; line: number } | { malformed: Rejection };

/**
 * Reads JSON Lines / NDJSON: one JSON value per line, blank lines ignored. A line that is not UTF-8,
 * not JSON or too long is reported as malformed with the reason class the dead letter will carry.
 */
export async function* readJsonLines(
  chunks: AsyncIterable<Uint8Array>,
  maxLineBytes = DEFAULT_MAX_RECORD_BYTES,
): AsyncGenerator<JsonLine> {
  for await (const entry of readLines(chunks, maxLineBytes)) {
    const origin = { line: entry.line };
    if ('tooLarge' in entry) {
      yield {
        malformed: {
          reason: 'too-large',
          detail: `line is ${entry.tooLarge} bytes, more than the ${maxLineBytes} allowed`,
          origin,
          raw: null,
        },
      };
      continue;
    }
    const text = decodeUtf8(entry.bytes);
    if (text === undefined) {
      yield {
        malformed: {
          reason: 'encoding',
          detail: 'line is not valid UTF-8',
          origin,
          raw: entry.bytes.toString('base64'),
          rawEncoding: 'base64',
        },
      };
      continue;
    }
    if (text.trim() === '') continue;
    try {
      yield { value: JSON.parse(text), line: entry.line };
    } catch (error) {
      yield { malformed: { reason: 'json', detail: (error as Error).message, origin, raw: text, rawEncoding: 'utf8' } };
    }
  }
}

/** A JSON object (not an array or null), as a line of these formats should be. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
