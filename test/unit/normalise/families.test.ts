import { describe, expect, it } from 'vitest';
import { DEFAULT_FAMILIES, TagpulseConfig } from '../../../schemas/index.js';
import { canonicalTag } from '../../../processors/normalise/canonical.js';
import { TagFamilies } from '../../../processors/normalise/families.js';

const familiesOfTag = (families: TagFamilies, tag: string) => families.familiesOf(canonicalTag(tag));

describe('TagFamilies with the default families (no aliases)', () => {
  const families = new TagFamilies(DEFAULT_FAMILIES);

  it.each([
    ['#МенОяндым', 'menoiandym'],
    ['#men_oyandym', 'menoiandym'],
    ['#ҚазақКөктемі', 'qazaqkoktemi'],
    ['#казаккоктеми', 'qazaqkoktemi'],
    ['#Серуен', 'seruen'],
    ['#от_правды_не_убежишь', 'otpravdyneubezhish'],
    ['#METOO', 'metoo'],
  ])('%s belongs to %s', (tag, family) => {
    expect(familiesOfTag(families, tag)).toEqual([family]);
  });

  it.each(['#янебоюсьсказать', '#казахскаявесна', '#seruenkz', '#metookz', '#мен', '#koktemi', '#kazakhkoktemi'])(
    '%s belongs to no family',
    (tag) => {
      expect(familiesOfTag(families, tag)).toEqual([]);
    },
  );

  it('lists member keys per family, in config order', () => {
    expect(Object.fromEntries(families.membersByFamily())).toEqual({
      qazaqkoktemi: ['kazakkoktemi'],
      menoiandym: ['menoiandim'],
      seruen: ['seruen'],
      otpravdyneubezhish: ['otpravdineubejish'],
      metoo: ['metoo'],
    });
    expect(families.names).toEqual(['qazaqkoktemi', 'menoiandym', 'seruen', 'otpravdyneubezhish', 'metoo']);
  });
});

describe('TagFamilies with configured aliases', () => {
  const config = TagpulseConfig.parse({
    families: {
      metoo: { aliases: ['#янебоюсьсказать', 'ЯНеБоюсьСказать', '#MeTooKZ'] },
      qazaqkoktemi: { aliases: ['#казахскаявесна', '#kazakhkoktemi'] },
      spring: { aliases: ['#qazaqkoktemi', '#köktem'] },
      empty: {},
    },
  });
  const families = new TagFamilies(config.families);

  it('joins translations only through configured aliases', () => {
    expect(familiesOfTag(families, '#ЯНеБоюсьСказать')).toEqual(['metoo']);
    expect(familiesOfTag(families, '#я_не_боюсь_сказать')).toEqual(['metoo']);
    expect(familiesOfTag(families, '#казахскаявесна')).toEqual(['qazaqkoktemi']);
    expect(familiesOfTag(families, '#metookz')).toEqual(['metoo']);
  });

  it('puts a key in every family that lists it, sorted', () => {
    expect(familiesOfTag(families, '#ҚазақКөктемі')).toEqual(['qazaqkoktemi', 'spring']);
    expect(familiesOfTag(families, '#көктем')).toEqual(['spring']);
  });

  it('gives the families of a whole post, deduplicated', () => {
    const keys = ['#MeToo', '#қазаққөктемі', '#seruen', '#KOKTEM'].map(canonicalTag);
    expect(families.familiesOfAll(keys)).toEqual(['metoo', 'qazaqkoktemi', 'spring']);
  });

  it('lists member keys for queries', () => {
    expect(families.memberKeys('metoo')).toEqual(['ianeboiusskazat', 'metoo', 'metookz']);
    expect(families.memberKeys('qazaqkoktemi')).toEqual(['kazahkoktemi', 'kazahskaiavesna', 'kazakkoktemi']);
    expect(families.memberKeys('empty')).toEqual(['empti']); // keys are skeletons: y is i
    expect(() => families.memberKeys('nope')).toThrow(/unknown tag family "nope"/);
  });

  it('has no families for an unknown or empty key', () => {
    expect(families.familiesOf('')).toEqual([]);
    expect(families.familiesOf('seruen')).toEqual([]);
  });
});
