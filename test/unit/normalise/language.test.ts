import { readSharedJsonl } from '../../support/shared.js';
import { describe, expect, it } from 'vitest';
import type { Lang } from '../../../schemas/index.js';
import { detectLanguage, langFromTag } from '../../../processors/normalise/language.js';
import { LANGUAGE_SAMPLES } from './language-samples.js';

describe('detectLanguage on short posts', () => {
  for (const [group, { lang, posts }] of Object.entries(LANGUAGE_SAMPLES)) {
    it.each(posts)(`${group}: %s → ${lang}`, (post) => {
      expect(detectLanguage(post)).toBe(lang);
    });
  }
});

describe('detectLanguage edge cases', () => {
  it.each<[string, Lang]>([
    ['Рахмет!', 'kk'],
    ['Спасибо', 'ru'],
    ['Да!', 'ru'], // as Russian as Kazakh: the tie goes to Russian
    ['Thanks!', 'en'],
    ['Мен', 'kk'],
    ['Men', 'kk'],
    ['Қолдаймын', 'kk'],
    ['Teşekkürler', 'other'],
  ])('one word: %s → %s', (post, lang) => {
    expect(detectLanguage(post)).toBe(lang);
  });

  it('ignores hashtags, mentions and URLs', () => {
    expect(detectLanguage('Вот #the_best_news_today @the_real_reporter https://example.com/this-is-the-news')).toBe('ru');
    expect(detectLanguage('@қазақ_әйелдері #қазаққөктемі thank you all')).toBe('en');
  });

  it('judges a post of hashtags only by its tags', () => {
    expect(detectLanguage('#қазаққөктемі #серуен')).toBe('kk');
  });

  it('says other when there are no words and no platform claim', () => {
    expect(detectLanguage('')).toBe('other');
    expect(detectLanguage('🔥🔥🔥 12:00')).toBe('other');
    expect(detectLanguage('@someone https://t.me/x')).toBe('other');
  });

  it('uses the platform language when the text has no words', () => {
    expect(detectLanguage('🔥🔥🔥', 'kk')).toBe('kk');
    expect(detectLanguage('👍 @dana', 'ru-RU')).toBe('ru');
    expect(detectLanguage('💪', 'tr')).toBe('other');
  });

  it('lets clear text outweigh a wrong platform claim', () => {
    expect(detectLanguage('Бүгін біз бәріміз алаңға шықтық', 'ru')).toBe('kk');
    expect(detectLanguage('Сегодня мы все вышли на площадь', 'kk')).toBe('ru');
    expect(detectLanguage('Thousands marched in Almaty today', 'ru')).toBe('en');
  });

  it('breaks a near-tie with the platform claim', () => {
    expect(detectLanguage('Да', 'kk')).toBe('kk');
  });
});

describe('langFromTag', () => {
  it.each<[string | undefined, Lang | undefined]>([
    ['kk', 'kk'],
    ['kk-KZ', 'kk'],
    ['ru_RU', 'ru'],
    ['EN-us', 'en'],
    ['tr', 'other'],
    ['und', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s → %s', (tag, lang) => {
    expect(langFromTag(tag)).toBe(lang);
  });
});

/** The abuse development set labels each post ru, kk, en or mixed (Kazakh and Russian in one post). */
describe('detectLanguage on the abuse development set', () => {
  const rows = readSharedJsonl<{ id: string; lang: string; text: string }>('abuse-dev.jsonl');

  it('gets every single-language post right', () => {
    const wrong = rows
      .filter((row) => row.lang !== 'mixed')
      .filter((row) => detectLanguage(row.text) !== row.lang)
      .map((row) => `${row.id} ${row.lang}→${detectLanguage(row.text)}: ${row.text}`);
    expect(wrong).toEqual([]);
  });

  it('gives mixed posts one of their languages', () => {
    for (const row of rows.filter((r) => r.lang === 'mixed')) expect(['kk', 'ru']).toContain(detectLanguage(row.text));
  });
});
