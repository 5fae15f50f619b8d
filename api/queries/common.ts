import { FAMILY_TAG_PREFIX } from '../../processors/metrics/volume.js';
import { canonicalTag } from '../../processors/normalise/canonical.js';
import type { Platform } from '../../schemas/index.js';
import { badParameter } from '../errors.js';
import { formatInZone, type TimeRange } from '../time.js';
import type { QueryContext } from './context.js';

/** One series of an aggregate answer: a canonical key, or a family (`family:<name>`) standing for its keys. */
export interface Series {
  /** The `tag` value of its rows. */
  name: string;
  /** The canonical keys it covers (one for a tag; a family's name and alias keys). */
  keys: readonly string[];
  family?: string;
}

export interface ResolvedSeries {
  series: Series[];
  tags: Array<{ given: string; key: string }>;
  families: Array<{ name: string; keys: string[] }>;
}

/** The canonical key of a tag as a user wrote it, or a 400 when it has no letter or digit. */
export function tagKey(field: string, given: string): string {
  const key = canonicalTag(given);
  if (key === '') throw badParameter(field, `${JSON.stringify(given)} has no letter or digit, so it is no tag`);
  return key;
}

/** A configured family by its name in any spelling (`#МенОяндым` finds `menoiandym`). */
export function familyName(context: QueryContext, given: string): string {
  const names = context.families.names;
  if (names.includes(given)) return given;
  const key = canonicalTag(given);
  const found = names.find((name) => key !== '' && canonicalTag(name) === key);
  if (found === undefined) throw badParameter('family', `no family ${JSON.stringify(given)} in the config; families: ${names.join(', ')}`);
  return found;
}

/** The series of `tag` and `family` parameters, canonicalised and deduplicated, at least one. */
export function resolveSeries(context: QueryContext, params: { tag?: string[]; family?: string[] }): ResolvedSeries {
  const tags = (params.tag ?? []).map((given) => ({ given, key: tagKey('tag', given) }));
  const families = [...new Set((params.family ?? []).map((given) => familyName(context, given)))].map((name) => ({
    name,
    keys: [...context.families.memberKeys(name)],
  }));
  if (tags.length === 0 && families.length === 0) {
    throw badParameter('tag', 'give at least one tag or family');
  }
  const series: Series[] = [];
  for (const key of new Set(tags.map((t) => t.key))) series.push({ name: key, keys: [key] });
  for (const family of families) series.push({ name: `${FAMILY_TAG_PREFIX}${family.name}`, keys: family.keys, family: family.name });
  return { series, tags, families };
}

export function rangeFilter(field: string, range: Partial<TimeRange>): unknown[] {
  if (range.from === undefined && range.to === undefined) return [];
  return [{ range: { [field]: { gte: range.from, lt: range.to, format: 'epoch_millis' } } }];
}

/** A terms filter, or nothing when the list is absent (no filter means all). */
export function termsFilter(field: string, values: readonly string[] | undefined): unknown[] {
  return values && values.length > 0 ? [{ terms: { [field]: values } }] : [];
}

/** The echo fields every answer shares: how the range and filters were understood. */
export function echoRange(range: Partial<TimeRange> & { to: number }, tz: string, platforms: readonly Platform[] | undefined) {
  return {
    from: range.from === undefined ? null : formatInZone(range.from, tz),
    to: formatInZone(range.to, tz),
    tz,
    platforms: [...(platforms ?? [])],
  };
}

export function answerMeta(context: QueryContext, index: string, took: number) {
  const { engine, version } = context.store.info;
  return { generated_at: new Date(context.now()).toISOString(), engine: `${engine} ${version}`, index, took_ms: took };
}
