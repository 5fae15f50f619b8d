import { describe, expect, it } from 'vitest';
import { canonicalTag, canonicalTags } from '../../../processors/normalise/canonical.js';
import { readSharedJson } from '../../support/shared.js';

interface HashtagVariants {
  families: Record<string, string[]>;
  distinct: [string, string][];
  configured_aliases: Record<string, string[] | string>;
}
const dataset = readSharedJson<HashtagVariants>('hashtag-variants.json');

const SEPARATORS = ['_', '-', '.', '·', ' ', '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD'];

/** Words of each family in several spellings; joined with every separator and in every case below. */
const WORD_SPELLINGS: Record<string, string[][]> = {
  menoiandim: [
    ['мен', 'ояндым'],
    ['men', 'oyandym'],
    ['men', 'oiandym'],
    ['men', 'oiandim'],
    ['men', 'oyandim'],
    ['men', 'oıandym'],
  ],
  kazakkoktemi: [
    ['қазақ', 'көктемі'],
    ['казак', 'коктеми'],
    ['казак', 'көктемі'],
    ['qazaq', 'köktemi'],
    ['qazaq', 'kóktemi'],
    ['qazaq', 'koktemi'],
    ['kazak', 'koktemi'],
    ['qazak', 'koktemi'],
  ],
  otpravdineubejish: [
    ['от', 'правды', 'не', 'убежишь'],
    ['от', 'правды', 'не', 'убежиш'],
    ['ot', 'pravdy', 'ne', 'ubezhish'],
    ['ot', 'pravdi', 'ne', 'ubezhish'],
    ['ot', 'pravdy', 'ne', 'ubejish'],
    ['ot', 'pravdy', 'ne', 'ubezhysh'],
    ['ot', 'pravdy', 'ne', "ubezhish'"],
    ['ot', 'pravdy', 'ne', 'ubežiš'],
  ],
  seruen: [['серуен'], ['seruen']],
  metoo: [['me', 'too'], ['ме', 'тоо']],
};

const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
const casings: ReadonlyArray<(words: string[]) => string[]> = [
  (words) => words.map((w) => w.toLowerCase()),
  (words) => words.map((w) => w.toUpperCase()),
  (words) => words.map(capitalise),
  (words) => words.map((w) => [...w].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('')),
];

function spellings(words: string[]): string[] {
  const out: string[] = [];
  for (const casing of casings) {
    const cased = casing(words);
    out.push(`#${cased.join('')}`, cased.join(''));
    for (const separator of SEPARATORS) out.push(`#${cased.join(separator)}`);
  }
  return out;
}

describe('canonicalTag on the shared dataset', () => {
  it.each(Object.entries(dataset.families))('family %s maps to a single key', (_family, variants) => {
    const keys = new Set(variants.map(canonicalTag));
    expect([...keys]).toHaveLength(1);
  });

  it.each(dataset.distinct)('%s and %s stay distinct', (a, b) => {
    expect(canonicalTag(a)).not.toBe(canonicalTag(b));
  });

  it.each(
    Object.entries(dataset.configured_aliases).flatMap(([family, aliases]) =>
      Array.isArray(aliases) ? aliases.map((alias) => [family, alias] as const) : [],
    ),
  )('the translation alias of %s, %s, does not merge by canonicalisation', (family, alias) => {
    const familyKeys = new Set(dataset.families[family]!.map(canonicalTag));
    expect(familyKeys.has(canonicalTag(alias))).toBe(false);
  });
});

describe('canonicalTag on generated spellings', () => {
  it.each(Object.entries(WORD_SPELLINGS))('every case and separator of every spelling of %s gives that key', (key, spellingList) => {
    const wrong = spellingList.flatMap(spellings).filter((tag) => canonicalTag(tag) !== key);
    expect(wrong.map((tag) => `${JSON.stringify(tag)} → ${canonicalTag(tag)}`)).toEqual([]);
  });

  it.each([
    ['#мeнoяндым', 'menoiandim'], // Latin e, o in Cyrillic
    ['#MEHOЯHДЫM', 'menoiandim'], // Latin M, E, H, O in Cyrillic capitals
    ['#mehoяhдыm', 'menoiandim'], // the same, lowercased by a platform
    ['#mеnоyаndym', 'menoiandim'], // Cyrillic е, о, а in Latin
    ['#qazaqkоktemі', 'kazakkoktemi'], // Cyrillic о and і in Latin
    ['#қазаққoктeмi', 'kazakkoktemi'], // Latin o, e, i in Cyrillic
    ['#ҚАЗАҚKӨKTEMI', 'kazakkoktemi'],
    ['#sеruеn', 'seruen'],
    ['#сeрyeн', 'seruen'], // Latin y among Cyrillic is у
    ['#СЕРУЕH', 'seruen'],
    ['#mеtoo', 'metoo'],
    ['#MΕTΟΟ', 'metoo'], // Greek Ε and Ο among Latin capitals
    ['#otpravdyneubеzhish', 'otpravdineubejish'],
    ['#отправдынеубeжишь', 'otpravdineubejish'],
  ])('homoglyph-mixed %s → %s', (tag, key) => {
    expect(canonicalTag(tag)).toBe(key);
  });

  it.each([
    ['#ｍｅｔｏｏ', 'metoo'],
    ['#𝐦𝐞𝐭𝐨𝐨', 'metoo'],
    ['#ⓜⓔⓣⓞⓞ', 'metoo'],
    ['#qazaqko\u0308ktemi', 'kazakkoktemi'], // decomposed ö
    ['#ЖАҢАҚАЗАҚСТАН', 'janakazakstan'],
    ['#zhanaqazaqstan', 'janakazakstan'],
    ['#jañaqazaqstan', 'janakazakstan'],
    ['#новыйказахстан', 'novikazahstan'],
    ['#novyykazakhstan', 'novikazahstan'],
    ['#noviykazakhstan', 'novikazahstan'],
    ['#novyikazakhstan', 'novikazahstan'],
    ['#novykazakhstan', 'novikazahstan'],
    ['#ғалым', 'galim'],
    ['#ghalym', 'galim'],
    ['#ǵalym', 'galim'],
    ['#ğalym', 'galim'],
    ['#үшін', 'ushin'],
    ['#üşin', 'ushin'],
    ['#ushin', 'ushin'],
    ['#Ақмаңдай', 'akmandai'],
    ['#aqmañdai', 'akmandai'],
    ['#щастье', 'shaste'],
    ['#schaste', 'shaste'],
    ['#shchaste', 'shaste'],
    ['#Хабар', 'habar'],
    ['#khabar', 'habar'],
    ['#habar', 'habar'],
    ['#цветы', 'cveti'],
    ['#tsvety', 'cveti'],
    ['#cvety', 'cveti'],
    ['#Мария', 'maria'],
    ['#mariya', 'maria'],
    ['#mariia', 'maria'],
    ['#схема', 'shema'],
    ['#skhema', 'shema'],
    ['#İstanbul', 'istanbul'],
    ['#Qazaqstan_Respýblıkasy', 'kazakstanrespublikasi'],
    ['#Қазақстан_Республикасы', 'kazakstanrespublikasi'],
    ['#seruen2024', 'seruen2024'],
    ['#2024', '2024'],
    ['#中国女性', '中国女性'],
    ['#नमस्ते', 'नमस्ते'], // Devanagari vowel signs are kept: they are letters there, not accents
    ['#Ελλάδα', 'ελλαδα'],
    ['#', ''],
    ['#___', ''],
  ])('%s → %s', (tag, key) => {
    expect(canonicalTag(tag)).toBe(key);
  });
});

describe('canonicalTag keeps different tags apart', () => {
  it.each([
    ['#seruen', '#seruen2024'],
    ['#metoo', '#meto'],
    ['#metoo', '#metoo2'],
    ['#менояндым', '#ояндым'],
    ['#менояндым', '#сеноянды'],
    ['#qazaqkoktemi', '#qazaq'],
    ['#qazaqkoktemi', '#kazakhkoktemi'], // kazakh/казах is another word (see docs/metrics.md)
    ['#оянқазақстан', '#oyankazakhstan'],
    ['#казах', '#казак'], // Kazakh / Cossack in Russian: х and к stay apart
    ['#ход', '#код'],
    ['#жол', '#зол'],
    ['#жер', '#шер'],
    ['#шаш', '#сас'],
    ['#сен', '#сін'],
    ['#аз', '#ас'],
    ['#қыз', '#қаз'],
    ['#бала', '#бола'],
    ['#ұл', '#ол'],
    ['#оян', '#оюн'],
    ['#чай', '#цай'],
    ['#хан', '#ган'],
    ['#тас', '#тац'],
    ['#ата', '#ана'],
    ['#sing', '#sin'],
    ['#отшить', '#очить'],
    ['#отправдынеубежишь', '#отправды'],
    ['#янебоюсьсказать', '#metoo'],
    ['#казахскаявесна', '#qazaqkoktemi'],
    ['#Сuka', '#сука'], // Cyrillic С before Latin letters is read as Latin c
  ])('%s ≠ %s', (a, b) => {
    expect(canonicalTag(a)).not.toBe(canonicalTag(b));
  });
});

describe('canonical keys', () => {
  const samples = [
    ...Object.values(dataset.families).flat(),
    ...dataset.distinct.flat(),
    ...Object.values(WORD_SPELLINGS).flat().flatMap(spellings),
  ];

  it('are lowercase ASCII for Latin and Cyrillic tags', () => {
    expect(samples.map(canonicalTag).filter((key) => !/^[a-z0-9]*$/.test(key))).toEqual([]);
  });

  it('are their own keys (folding is idempotent)', () => {
    expect(samples.filter((tag) => canonicalTag(canonicalTag(tag)) !== canonicalTag(tag))).toEqual([]);
  });

  it('are the same with and without the hash', () => {
    expect(canonicalTag('#МенОяндым')).toBe(canonicalTag('МенОяндым'));
  });

  it('canonicalTags deduplicates in first-seen order and drops empty keys', () => {
    expect(canonicalTags(['MeToo', 'серуен', '#me_too', '___', 'Seruen', 'qazaqkoktemi'])).toEqual([
      'metoo',
      'seruen',
      'kazakkoktemi',
    ]);
  });
});
