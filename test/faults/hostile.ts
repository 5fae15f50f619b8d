/**
 * Hostile input for every import format: the cases of issue 9, each wrapped as one item of the format, between
 * ordinary items (sentinels) that must still come through, so a hostile item can never take the rest of the file
 * with it unnoticed.
 */

/** Bytes that are not UTF-8 (a lone continuation byte, an overlong form, 0xFF), put where the text goes. */
export const INVALID_UTF8 = Buffer.from([0x80, 0xc0, 0xaf, 0xff, 0xfe]);
/** Marks where INVALID_UTF8 is spliced into an item after it was serialised. */
const BAD_BYTES_MARK = 'ЖЖBADBYTESЖЖ';

export interface HostileCase {
  name: string;
  /** The post's text; `undefined` for the cases built at byte level or structurally. */
  text?: string;
  /** Bytes spliced in for the mark: invalid UTF-8. */
  badBytes?: boolean;
  /** JSON formats only: a field nested this deep rides along in the item (text formats put it in the text). */
  nestDepth?: number;
}

export const TEN_MB = 10 * 1024 * 1024;
export const HASHTAGS_IN_ONE_POST = 10_000;
export const NEST_DEPTH = 100_000;

export const HOSTILE_CASES: readonly HostileCase[] = [
  { name: 'invalid-utf8', text: `before ${BAD_BYTES_MARK} after #seruen`, badBytes: true },
  // A 10 MB post: Kazakh words (two bytes a letter) and a tag at the very end.
  { name: 'ten-mb', text: `${'Әйелдер үні '.repeat(Math.ceil(TEN_MB / Buffer.byteLength('Әйелдер үні ')))}#menoiandym` },
  { name: 'deep-nesting', text: 'nested #seruen', nestDepth: NEST_DEPTH },
  { name: 'ten-thousand-hashtags', text: Array.from({ length: HASHTAGS_IN_ONE_POST }, (_, i) => `#tag${i}`).join(' ') },
  // Zero-width space, joiner and non-joiner inside tags; a right-to-left override that turns the rest around.
  { name: 'zero-width-rtl', text: '#sei\u200Bruen #qazaq\u200Dkoktemi \u202E#metoo reversed\u202C #мен\u200Cояндым \u2066isolated\u2069 \uFEFF' },
  { name: 'null-bytes', text: 'nul\u0000in the middle #seruen\u0000' },
  { name: 'emoji-only', text: '🌷✊🇰🇿💜👩‍👧🕊️📢' },
];

const CREATED = '2024-03-08T10:00:00Z';
const CREATED_UNIX = 1709892000;

/** The deeply nested value as JSON text, written without recursion (JSON.stringify would overflow). */
function nestedJson(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

/** Serialises an item as JSON, with the nested value (if any) spliced in as field `nested`. */
function jsonWith(item: Record<string, unknown>, c: HostileCase | undefined): string {
  const text = JSON.stringify(item);
  if (!c?.nestDepth) return text;
  return `${text.slice(0, -1)},"nested":${nestedJson(c.nestDepth)}}`;
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A hostile item's text for a text-only format: the nesting becomes characters of the text. */
function textOf(c: HostileCase | undefined, fallback: string): string {
  if (!c) return fallback;
  return c.nestDepth ? `${c.text} ${nestedJson(Math.min(c.nestDepth, 1_000_000))}` : c.text!;
}

export interface HostileFile {
  format: string;
  /** `--platform` for the formats that need one. */
  platform?: 'x';
  bytes: Buffer;
  /** Platform ids (as the envelopes carry them) of the sentinel items, which must come through as envelopes. */
  sentinels: string[];
  /** Platform id of each hostile case's item. */
  hostile: Record<string, string>;
}

interface Layout {
  format: string;
  platform?: 'x';
  /** Ids: numeric for the formats that insist on them. */
  id: (n: number) => string;
  /** The envelope's platformId of an item id, when the format makes it from more than the item's id. */
  platformId?: (id: string) => string;
  item: (id: string, text: string, c: HostileCase | undefined) => string;
  /** The whole file from its items. */
  file: (items: string[]) => string;
}

const lines = (items: string[]) => `${items.join('\n')}\n`;

const LAYOUTS: Layout[] = [
  {
    format: 'generic-jsonl',
    id: (n) => `h-${n}`,
    item: (id, text, c) => jsonWith({ id, text, created_at: CREATED, platform: 'vk', author_id: 'a1', author_handle: 'h1', tags: [] }, c),
    file: lines,
  },
  {
    format: 'generic-csv',
    id: (n) => `h-${n}`,
    item: (id, text, c) => [id, textOf(c, text), CREATED, 'vk', 'a1', 'h1'].map(csvCell).join(','),
    file: (items) => `id,text,created_at,platform,author_id,author_handle\r\n${items.join('\r\n')}\r\n`,
  },
  {
    format: '4cat',
    platform: 'x',
    id: (n) => String(1_900_000_000_000_000_000n + BigInt(n)),
    item: (id, text, c) => [id, id, String(CREATED_UNIX), textOf(c, text), 'h1', '1500000001'].map(csvCell).join(','),
    file: (items) => `id,thread_id,unix_timestamp,body,author,author_id\r\n${items.join('\r\n')}\r\n`,
  },
  {
    format: 'twarc2',
    id: (n) => String(1_800_000_000_000_000_000n + BigInt(n)),
    item: (id, text, c) => jsonWith({ id, text, created_at: '2024-03-08T10:00:00.000Z', author_id: '1500000001', conversation_id: id, lang: 'kk' }, c),
    file: lines,
  },
  {
    format: 'zeeschuimer',
    id: (n) => String(1_700_000_000_000_000_000n + BigInt(n)),
    item: (id, text, c) =>
      jsonWith(
        {
          id: 1,
          item_id: id,
          timestamp_collected: 1709878200123,
          source_platform: 'twitter.com',
          source_platform_url: 'https://x.com/search?q=%23seruen',
          data: {
            __typename: 'Tweet',
            rest_id: id,
            core: { user_results: { result: { __typename: 'User', rest_id: '1500000001', core: { name: 'H', screen_name: 'h1' }, legacy: {} } } },
            legacy: {
              id_str: id,
              full_text: text,
              created_at: 'Fri Mar 08 04:15:00 +0000 2024',
              conversation_id_str: id,
              user_id_str: '1500000001',
              lang: 'kk',
              entities: { hashtags: [], urls: [], user_mentions: [], symbols: [] },
            },
          },
        },
        c,
      ),
    file: lines,
  },
  {
    format: 'telegram-desktop',
    id: (n) => String(n),
    platformId: (id) => `1712345678/${id}`,
    item: (id, text, c) =>
      jsonWith(
        { id: Number(id), type: 'message', date: '2024-03-08T10:00:00', date_unixtime: String(CREATED_UNIX), from: 'H', from_id: 'user1500000001', text, text_entities: [{ type: 'plain', text }] },
        c,
      ),
    file: (items) => `{"name":"Hostile","type":"public_channel","id":1712345678,"messages":[\n${items.join(',\n')}\n]}\n`,
  },
];

export const HOSTILE_FORMATS: readonly string[] = LAYOUTS.map((layout) => layout.format);

/**
 * One file of a format holding one hostile case between two ordinary items. Item ids are `base` + 1, 2, 3, so
 * files with different bases can go through one pipeline without sharing a post id.
 */
export function hostileFile(format: string, c: HostileCase, base = 0): HostileFile {
  const layout = LAYOUTS.find((l) => l.format === format);
  if (!layout) throw new Error(`no hostile layout for format ${format}`);
  const items: string[] = [];
  const sentinels: string[] = [];
  const hostile: Record<string, string> = {};
  const platformId = layout.platformId ?? ((id: string) => id);
  const sentinel = (n: number) => {
    const id = layout.id(n);
    sentinels.push(platformId(id));
    items.push(layout.item(id, `ordinary post ${id} #seruen #qazaqkoktemi`, undefined));
  };
  sentinel(base + 1);
  hostile[c.name] = platformId(layout.id(base + 2));
  items.push(layout.item(layout.id(base + 2), c.text!, c));
  sentinel(base + 3);
  const text = layout.file(items);
  // Invalid UTF-8 cannot be written in a JS string: the mark is swapped for the bytes in the encoded file.
  const encoded = Buffer.from(text, 'utf8');
  const mark = Buffer.from(BAD_BYTES_MARK, 'utf8');
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = encoded.indexOf(mark); at !== -1; at = encoded.indexOf(mark, from)) {
    parts.push(encoded.subarray(from, at), INVALID_UTF8);
    from = at + mark.length;
  }
  parts.push(encoded.subarray(from));
  return { format: layout.format, platform: layout.platform, bytes: Buffer.concat(parts), sentinels, hostile };
}
