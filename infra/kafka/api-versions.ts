import { connect } from 'node:net';

/**
 * A raw ApiVersions (v3) request: the one Kafka protocol call that reports what the broker software supports.
 * kafkajs speaks only ApiVersions v0-2, which carry no feature levels, so `stack status` asks itself.
 * Wire format: KIP-511 / KIP-584 (flexible versions, tagged fields).
 */

export interface BrokerApiVersions {
  apiKeys: number;
  /** Highest `metadata.version` feature level the broker software supports, and the release it belongs to. */
  supportedMetadataVersion?: { level: number; release: string };
  /** The cluster's finalized `metadata.version`, e.g. `3.9-IV0`. */
  finalizedMetadataVersion?: { level: number; release: string };
}

/** KRaft metadata.version levels (MetadataVersion.java): level → release-IV. */
const METADATA_VERSIONS: Record<number, string> = {
  1: '3.0-IV1', 2: '3.1-IV0', 3: '3.2-IV0', 4: '3.3-IV0', 5: '3.3-IV1', 6: '3.3-IV2', 7: '3.3-IV3',
  8: '3.4-IV0', 9: '3.5-IV0', 10: '3.5-IV1', 11: '3.5-IV2', 12: '3.6-IV0', 13: '3.6-IV1', 14: '3.6-IV2',
  15: '3.7-IV0', 16: '3.7-IV1', 17: '3.7-IV2', 18: '3.7-IV3', 19: '3.7-IV4', 20: '3.8-IV0', 21: '3.9-IV0',
  22: '4.0-IV0', 23: '4.0-IV1', 24: '4.0-IV2', 25: '4.0-IV3',
};

function metadataRelease(level: number): { level: number; release: string } {
  return { level, release: METADATA_VERSIONS[level] ?? `unknown level ${level}` };
}

function request(correlationId: number): Buffer {
  const clientId = Buffer.from('tagpulse-status');
  const software = Buffer.from('tagpulse');
  const version = Buffer.from('1');
  const body = Buffer.concat([
    Buffer.from([0x00, 18, 0x00, 3]), // api_key 18 ApiVersions, api_version 3
    int32(correlationId),
    Buffer.from([clientId.length >> 8, clientId.length & 0xff]),
    clientId,
    Buffer.from([0]), // header tagged fields
    Buffer.from([software.length + 1]),
    software,
    Buffer.from([version.length + 1]),
    version,
    Buffer.from([0]), // body tagged fields
  ]);
  return Buffer.concat([int32(body.length), body]);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

class Reader {
  constructor(
    private readonly buf: Buffer,
    public pos = 0,
  ) {}
  int16(): number {
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  uvarint(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = this.buf[this.pos++]!;
      value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
      shift += 7;
    }
  }
  compactString(): string {
    const len = this.uvarint() - 1;
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  skipTaggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.pos += this.uvarint();
    }
  }
}

/** Feature arrays (supported: name, min, max; finalized: name, max, min) as name → [first, second] int16. */
function readFeatures(r: Reader): Map<string, [number, number]> {
  const features = new Map<string, [number, number]>();
  const count = r.uvarint() - 1;
  for (let i = 0; i < count; i++) {
    const name = r.compactString();
    const first = r.int16();
    const second = r.int16();
    r.skipTaggedFields();
    features.set(name, [first, second]);
  }
  return features;
}

export function parseApiVersionsResponse(frame: Buffer): BrokerApiVersions {
  const r = new Reader(frame, 4); // skip correlation id (ApiVersions responses always use header v0)
  const errorCode = r.int16();
  if (errorCode !== 0) throw new Error(`ApiVersions answered error code ${errorCode}`);
  const apiKeys = r.uvarint() - 1;
  for (let i = 0; i < apiKeys; i++) {
    r.int16();
    r.int16();
    r.int16();
    r.skipTaggedFields();
  }
  r.int32(); // throttle_time_ms
  const result: BrokerApiVersions = { apiKeys };
  const tagCount = r.uvarint();
  for (let i = 0; i < tagCount; i++) {
    const tag = r.uvarint();
    const size = r.uvarint();
    const end = r.pos + size;
    if (tag === 0) {
      const supported = readFeatures(r).get('metadata.version');
      if (supported) result.supportedMetadataVersion = metadataRelease(supported[1]);
    } else if (tag === 2) {
      const finalized = readFeatures(r).get('metadata.version');
      if (finalized) result.finalizedMetadataVersion = metadataRelease(finalized[0]);
    }
    r.pos = end;
  }
  return result;
}

/** Sends ApiVersions v3 to host:port and parses the answer; rejects on anything that is not a Kafka broker. */
export function probeApiVersions(host: string, port: number, timeoutMs = 5_000): Promise<BrokerApiVersions> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let data = Buffer.alloc(0);
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no Kafka answer from ${host}:${port} within ${timeoutMs} ms`)));
    socket.on('error', fail);
    socket.on('connect', () => socket.write(request(1)));
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (data.length < 4) return;
      const size = data.readInt32BE(0);
      if (size < 0 || size > 1 << 20) return fail(new Error(`${host}:${port} does not speak the Kafka protocol`));
      if (data.length < 4 + size) return;
      socket.destroy();
      try {
        const frame = data.subarray(4, 4 + size);
        if (frame.readInt32BE(0) !== 1) throw new Error('correlation id mismatch');
        resolve(parseApiVersionsResponse(frame));
      } catch (error) {
        reject(new Error(`${host}:${port} does not speak the Kafka protocol (${(error as Error).message})`));
      }
    });
    socket.on('end', () => fail(new Error(`${host}:${port} closed the connection: not a Kafka broker`)));
  });
}
