/**
 * Splits items, in order, into runs of at most `maxBytes` each by `bytesOf` (an item larger than that goes
 * alone): how records that carry many entries (changelog records, metric batches) stay under a topic's
 * `max.message.bytes`.
 */
export function packBySize<T>(items: readonly T[], bytesOf: (item: T) => number, maxBytes: number): T[][] {
  const packs: T[][] = [];
  let pack: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = bytesOf(item);
    if (pack.length > 0 && bytes + size > maxBytes) {
      packs.push(pack);
      pack = [];
      bytes = 0;
    }
    pack.push(item);
    bytes += size;
  }
  if (pack.length > 0) packs.push(pack);
  return packs;
}
