import { describe, expect, it } from 'vitest';
import { cleanTag, extractHashtags, mergeTags } from '../../../processors/normalise/hashtags.js';

describe('extractHashtags', () => {
  it.each([
    ['Kazakh Cyrillic', 'Бүгін #қазаққөктемі және #ҚазақКөктемі', ['қазаққөктемі', 'ҚазақКөктемі']],
    ['Russian', 'Вышли на #серуен сегодня, #от_правды_не_убежишь', ['серуен', 'от_правды_не_убежишь']],
    ['Kazakh Latin, official letters', '#Qazaq_Köktemi #jeñis #ūlt #ğalym #üşin #aqmañdai', ['Qazaq_Köktemi', 'jeñis', 'ūlt', 'ğalym', 'üşin', 'aqmañdai']],
    ['Kazakh Latin, 2018 acute letters', '#Qazaqstan_Respýblıkasy #taǵy #ańyz', ['Qazaqstan_Respýblıkasy', 'taǵy', 'ańyz']],
    ['English', 'I woke up too #MeToo', ['MeToo']],
    ['Turkish', 'Destek #kadınlar #şiddeteHayır', ['kadınlar', 'şiddeteHayır']],
    ['Chinese', '支持 #女性权利 ！', ['女性权利']],
    ['Arabic', 'تضامن #نساء_كازاخستان', ['نساء_كازاخستان']],
    ['Devanagari (combining vowel signs)', 'नमस्ते #नारीशक्ति', ['नारीशक्ति']],
    ['Georgian', '#ქალები', ['ქალები']],
    ['Korean', '#미투 운동', ['미투']],
    ['Greek', '#Ελλάδα', ['Ελλάδα']],
  ])('finds tags in %s', (_script, text, tags) => {
    expect(extractHashtags(text)).toEqual(tags);
  });

  it('finds tags at the start, at the end and after punctuation', () => {
    expect(extractHashtags('#metoo')).toEqual(['metoo']);
    expect(extractHashtags('Хватит. #metoo')).toEqual(['metoo']);
    expect(extractHashtags('(#seruen), «#менояндым»! "#qazaqkoktemi"; —#oyan…')).toEqual([
      'seruen',
      'менояндым',
      'qazaqkoktemi',
      'oyan',
    ]);
    expect(extractHashtags('line one\n#seruen\tand\u3000#oyan')).toEqual(['seruen', 'oyan']);
  });

  it('ends a tag at punctuation, emoji and spaces', () => {
    expect(extractHashtags('#metoo, #seruen! #oyan🔥 #менояндым?! #me-too')).toEqual(['metoo', 'seruen', 'oyan', 'менояндым', 'me']);
  });

  it('accepts the fullwidth and small number signs', () => {
    expect(extractHashtags('＃metoo ﹟seruen')).toEqual(['metoo', 'seruen']);
  });

  it('ignores fragments of URLs', () => {
    expect(extractHashtags('https://x.kz/page#anchor')).toEqual([]);
    expect(extractHashtags('see https://x.kz/#anchor and https://t.me/s/ch?q=#metoo')).toEqual([]);
    expect(extractHashtags('www.vlast.kz/#news #seruen')).toEqual(['seruen']);
    expect(extractHashtags('vlast.kz/news#top')).toEqual([]);
  });

  it('ignores a hash inside a word or an HTML entity', () => {
    expect(extractHashtags('abc#def')).toEqual([]);
    expect(extractHashtags('мен#ояндым')).toEqual([]);
    expect(extractHashtags('snake_#case')).toEqual([]);
    expect(extractHashtags('it&#39;s &#x27;quoted&#x27;')).toEqual([]);
  });

  it('requires a letter: numbers are not tags', () => {
    expect(extractHashtags('#1 #2024 #12_00 #_ #1st #seruen2024')).toEqual(['1st', 'seruen2024']);
  });

  it('ignores a keycap emoji', () => {
    expect(extractHashtags('#️⃣ #\uFE0F')).toEqual([]);
  });

  it('removes zero-width characters inside tags', () => {
    expect(extractHashtags('#me\u200Btoo #\u200Dseruen #менояндым\uFEFF #qazaq\u200Ckoktemi #o\u2060yan #me\u00ADtoo')).toEqual([
      'metoo',
      'seruen',
      'менояндым',
      'qazaqkoktemi',
      'oyan',
    ]);
  });

  it('normalises to NFC', () => {
    expect(extractHashtags('#qazaqko\u0308ktemi')).toEqual(['qazaqk\u00f6ktemi']);
    expect(extractHashtags('#ояндыи\u0306')).toEqual(['ояндый']);
  });

  it('splits tags written back to back', () => {
    expect(extractHashtags('#metoo#менояндым#2024#seruen')).toEqual(['metoo', 'менояндым', 'seruen']);
  });

  it('keeps a middle dot between letters only', () => {
    expect(extractHashtags('#men·oyandym #metoo·')).toEqual(['men·oyandym', 'metoo']);
  });

  it('deduplicates exact repeats, keeping first-seen order', () => {
    expect(extractHashtags('#seruen #metoo #seruen #MeToo')).toEqual(['seruen', 'metoo', 'MeToo']);
  });

  it('returns nothing for text without tags', () => {
    expect(extractHashtags('')).toEqual([]);
    expect(extractHashtags('C# and F# are languages; # alone')).toEqual([]);
  });
});

describe('cleanTag', () => {
  it('strips hashes, invisible characters and surrounding space, and needs a letter', () => {
    expect(cleanTag(' #Me\u200Btoo ')).toBe('Metoo');
    expect(cleanTag('＃seruen')).toBe('seruen');
    expect(cleanTag('#2024')).toBeUndefined();
    expect(cleanTag('')).toBeUndefined();
  });
});

describe('mergeTags', () => {
  it('adds platform entity tags, dropping case-insensitive duplicates and keeping the text spelling', () => {
    expect(mergeTags(['MeToo', 'менояндым'], ['metoo', '#seruen', 'МЕНОЯНДЫМ', '', '2024', 'qazaq\u200Bkoktemi'])).toEqual([
      'MeToo',
      'менояндым',
      'seruen',
      'qazaqkoktemi',
    ]);
  });

  it('keeps different spellings of one canonical tag (they are shown as written)', () => {
    expect(mergeTags(['менояндым'], ['menoiandym'])).toEqual(['менояндым', 'menoiandym']);
  });

  it('works with either list empty', () => {
    expect(mergeTags([], ['Seruen'])).toEqual(['Seruen']);
    expect(mergeTags(['seruen', 'Seruen'], [])).toEqual(['seruen']);
  });
});
