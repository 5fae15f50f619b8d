/**
 * Byte-level helpers shared by the line, CSV and Telegram readers. Files are read as bytes and decoded
 * with a fatal decoder, so invalid UTF-8 is rejected instead of silently becoming U+FFFD: Kazakh and
 * Russian text must arrive exactly as written.
 */

/** Largest line or CSV record a reader holds in memory; past it the input is certainly not what the format says. */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The text, or undefined when the bytes are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return fatalUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

const BOM = [0xef, 0xbb, 0xbf];

/** Drops a UTF-8 byte order mark at the very start (spreadsheet programs write one), however the chunks fall. */
export async function* withoutBom(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const head: number[] = [];
  let decided = false;
  for await (const chunk of chunks) {
    if (decided) {
      yield chunk;
      continue;
    }
    let i = 0;
    while (i < chunk.length && head.length < BOM.length && chunk[i] === BOM[head.length]) head.push(chunk[i++]!);
    if (head.length === BOM.length) {
      decided = true;
      if (i < chunk.length) yield chunk.subarray(i);
    } else if (i < chunk.length) {
      decided = true;
      // Not a BOM after all: give back the bytes that looked like one.
      yield head.length === 0 ? chunk : Buffer.concat([Uint8Array.from(head), chunk.subarray(i)]);
    }
  }
  if (!decided && head.length > 0) yield Uint8Array.from(head);
}

/** The bytes of one line or record that spans several chunks. */
export class PendingBytes {
  private pieces: Uint8Array[] = [];
  private size = 0;

  get length(): number {
    return this.size;
  }

  /** Keeps the tail of a chunk; copied, because a stream may reuse its buffers. */
  add(tail: Uint8Array): void {
    if (tail.length === 0) return;
    this.pieces.push(Uint8Array.from(tail));
    this.size += tail.length;
  }

  /**
   * Everything kept plus `last`, as one buffer, and empties the store. When nothing was kept the
   * result is a view of `last`, not a copy: callers decode it before reading on.
   */
  take(last: Uint8Array): Buffer {
    const bytes =
      this.pieces.length === 0
        ? Buffer.from(last.buffer, last.byteOffset, last.byteLength)
        : Buffer.concat([...this.pieces, last]);
    this.clear();
    return bytes;
  }

  clear(): void {
    this.pieces = [];
    this.size = 0;
  }
}
