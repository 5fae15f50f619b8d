import { isUtf8 } from 'node:buffer';

/**
 * Streaming repair of invalid UTF-8, for a reader that must go on past a bad byte and then say which item it
 * was in: each ill-formed sequence (a maximal subpart, as the Unicode Standard §3.9 counts them) is replaced by
 * U+FFFD's three bytes, and where that happened is recorded, in the output's byte offsets (which a parser of
 * the output reports) and the input's (which a person looking at the file needs). A sequence split across
 * chunks is carried to the next one, so chunk boundaries change nothing.
 */

/** One replaced ill-formed sequence. */
export interface Utf8Repair {
  /** Offset of the U+FFFD in the repaired output. */
  at: number;
  /** Offset of the ill-formed bytes in the input. */
  from: number;
  /** How many input bytes it replaced (1–3). */
  length: number;
}

const REPLACEMENT = Uint8Array.of(0xef, 0xbf, 0xbd);

/** How many bytes a sequence starting with this byte has; 0 when it cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Whether `byte` may follow `lead` as the second byte of its sequence (Table 3-7 of the Unicode Standard). */
function validSecond(lead: number, byte: number): boolean {
  if (lead === 0xe0) return byte >= 0xa0 && byte <= 0xbf;
  if (lead === 0xed) return byte >= 0x80 && byte <= 0x9f;
  if (lead === 0xf0) return byte >= 0x90 && byte <= 0xbf;
  if (lead === 0xf4) return byte >= 0x80 && byte <= 0x8f;
  return byte >= 0x80 && byte <= 0xbf;
}

const isContinuation = (byte: number) => byte >= 0x80 && byte <= 0xbf;

/**
 * How many bytes of the sequence starting at `i` are well-formed: its full length when it is complete and valid,
 * less when it breaks off (then bytes `i` to `i + result - 1` are the maximal subpart to replace, at least 1), or
 * -1 when the buffer ends before the sequence could be judged (it may go on in the next chunk).
 */
function wellFormedAt(bytes: Uint8Array, i: number): number {
  const lead = bytes[i]!;
  const length = sequenceLength(lead);
  if (length <= 1) return length;
  for (let k = 1; k < length; k++) {
    if (i + k >= bytes.length) return -1;
    const byte = bytes[i + k]!;
    if (!(k === 1 ? validSecond(lead, byte) : isContinuation(byte))) return k === 1 ? 0 : k;
  }
  return length;
}

export class Utf8Repairer {
  /** Repairs not yet taken, in order. */
  readonly #repairs: Utf8Repair[] = [];
  /** Bytes of a sequence the last chunk ended inside. */
  #carry: Uint8Array = new Uint8Array(0);
  #inputOffset = 0;
  #outputOffset = 0;

  /** The chunk's bytes, repaired: all but a sequence it ends inside, which comes with the next chunk. */
  push(chunk: Uint8Array): Uint8Array {
    const bytes = this.#carry.length > 0 ? Buffer.concat([this.#carry, chunk]) : chunk;
    // A chunk ending inside a sequence: at most 3 bytes back to its lead byte.
    let end = bytes.length;
    for (let back = 1; back <= 3 && back <= bytes.length; back++) {
      const i = bytes.length - back;
      if (isContinuation(bytes[i]!)) continue;
      if (wellFormedAt(bytes, i) === -1) end = i;
      break;
    }
    this.#carry = bytes.slice(end);
    const body = bytes.subarray(0, end);
    const out = isUtf8(body) ? body : this.#repair(body);
    this.#inputOffset += end;
    this.#outputOffset += out.length;
    return out;
  }

  /** At the end of the input: the number of bytes of an unfinished sequence it ended inside (0 when none). */
  end(): number {
    const left = this.#carry.length;
    this.#carry = new Uint8Array(0);
    return left;
  }

  /** Repairs done so far and not yet taken, in order of position. */
  get pending(): readonly Utf8Repair[] {
    return this.#repairs;
  }

  /** Takes the pending repairs up to output offset `upTo` (inclusive). */
  takeUpTo(upTo: number): Utf8Repair[] {
    let n = 0;
    while (n < this.#repairs.length && this.#repairs[n]!.at <= upTo) n++;
    return this.#repairs.splice(0, n);
  }

  #repair(body: Uint8Array): Uint8Array {
    const parts: Uint8Array[] = [];
    let from = 0;
    let written = 0;
    let i = 0;
    while (i < body.length) {
      if (body[i]! < 0x80) {
        i++;
        continue;
      }
      const good = wellFormedAt(body, i);
      // The carry logic leaves no sequence open at the end of the body; one still open here is cut off.
      const length = good === -1 ? body.length - i : good;
      if (length >= 2 && length === sequenceLength(body[i]!)) {
        i += length;
        continue;
      }
      const bad = Math.max(1, length);
      parts.push(body.subarray(from, i), REPLACEMENT);
      written += i - from;
      this.#repairs.push({ at: this.#outputOffset + written, from: this.#inputOffset + i, length: bad });
      written += REPLACEMENT.length;
      i += bad;
      from = i;
    }
    parts.push(body.subarray(from));
    return Buffer.concat(parts);
  }
}
