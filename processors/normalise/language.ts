import type { Lang } from '../../schemas/index.js';
import { skeleton } from './canonical.js';
import {
  ENGLISH_WORDS,
  KAZAKH_CYRILLIC_ONLY_WORDS,
  KAZAKH_WORDS,
  OTHER_CYRILLIC_WORDS,
  OTHER_LATIN_WORDS,
  RUSSIAN_WORDS,
} from './language-lexicon.js';

/**
 * Offline language identification for short posts: every word votes for the languages it is evidence of,
 * and the language with the most votes wins, so code-mixed posts get their dominant language.
 * Evidence, strongest first: letters only one candidate language writes, listed words (a word listed for
 * several languages splits its vote), then suffixes and letter patterns; an unexplained word leans to the
 * usual language of its script (Cyrillic: Russian, Latin: English).
 */

const KK = 0;
const RU = 1;
const EN = 2;
const OTHER = 3;
const LANGS: readonly Lang[] = ['kk', 'ru', 'en', 'other'];
/** A Cyrillic post that is as Russian as Kazakh ("Да!") is more likely Russian, the majority language online. */
const TIE_ORDER = [RU, KK, EN, OTHER] as const;

/** Vote weights: a distinctive letter or a listed word; a typical ending; a letter pattern; no evidence at all. */
const STRONG = 2;
const WEAK = 0.7;
const HINT = 0.5;
const PRIOR = 0.25;
/** The platform's own claim breaks near-ties and decides texts with no words; it is often wrong, so it counts little. */
const PLATFORM_CLAIM = 0.5;

const wordSet = (words: string) => new Set(words.split(/\s+/).filter(Boolean));

const RUSSIAN = wordSet(RUSSIAN_WORDS);
const ENGLISH = wordSet(ENGLISH_WORDS);
const OTHER_LATIN = wordSet(OTHER_LATIN_WORDS);
const OTHER_CYRILLIC = wordSet(OTHER_CYRILLIC_WORDS);
const KAZAKH_CYRILLIC_ONLY = wordSet(KAZAKH_CYRILLIC_ONLY_WORDS);
const KAZAKH = wordSet(KAZAKH_WORDS);
/** Kazakh words in Latin script by skeleton: one key for joq, jok, zhok. */
const KAZAKH_SKELETONS = new Set([...KAZAKH].map(skeleton));
/** Kazakh words as typed on a Russian keyboard, which has none of ә ғ қ ң ө ұ ү һ і. */
const RUSSIAN_KEYBOARD: Readonly<Record<string, string>> = { ә: 'а', ғ: 'г', қ: 'к', ң: 'н', ө: 'о', ұ: 'у', ү: 'у', һ: 'х', і: 'и' };
const KAZAKH_ON_RUSSIAN_KEYBOARD = new Set(
  [...KAZAKH].map((word) => word.replace(/[әғқңөұүһі]/g, (letter) => RUSSIAN_KEYBOARD[letter]!)),
);

/** Hashtags, mentions and URLs say nothing about the language of the sentence. */
const NOT_PROSE = /(?:https?:\/\/|www\.)\S+|[#＃@]\S*/gu;

/** Cyrillic letters Kazakh has and Russian lacks (і is shared with Ukrainian, listed words catch that). */
const KAZAKH_CYRILLIC_LETTER = /[әғқңөұүһі]/;
/** Kyrgyz writes ү ө ң too, but none of ә ғ қ ұ һ і, and has long vowels Kazakh does not. */
const KAZAKH_NOT_KYRGYZ_LETTER = /[әғқұһі]/;
const KYRGYZ_LONG_VOWEL = /аа|ээ|оо|уу|үү|өө/;
/** Ukrainian, Belarusian, Uzbek, Tajik, Tatar letters. */
const OTHER_CYRILLIC_LETTER = /[їєґўҳҷӣӯҗ]/;
const RUSSIAN_SUFFIX = /(?:ть|ться|тся|ся|сь|ого|его|ому|ему|ый|ий|ая|яя|ое|ые|ие|ых|их|ыми|ими|ами|ями|ешь|ёшь|ишь|ение|ость|ство|ях)$/;
/** Kazakh endings that stay recognisable on a Russian keyboard and are rare at the end of Russian words. */
const KAZAKH_FOLDED_SUFFIX = /(?:мыз|пыз|быз|мын|пын|бын|дын|тын|нын|лары|лери|дары|тары|сыз|лык|дык|шы|ады|йды)$/;

/** Letters of the 2021 / 2018 Kazakh Latin alphabets that Turkish and English lack. */
const KAZAKH_LATIN_LETTER = /[äūǵń]/;
/** Shared by Kazakh Latin and Turkish (or Spanish, German): half a vote each way. */
const SHARED_LATIN_LETTER = /[ğşöüñáóúý]/;
/** Dotless ı is everyday Turkish (and Azerbaijani) but rare in Kazakh Latin as written online. */
const DOTLESS_I = /ı/;
const OTHER_LATIN_LETTER = /[çéèêëàâãõåøæœßčřžěůőűłąęż]/;
/** Turkish verb endings (-iyor, -acak, -mış, -mak): Kazakh has none of them. */
const TURKISH_SUFFIX = /(?:[ıiuü]yor[a-zıöüşğç]*|[ae]c[ae][kğ][a-zıöüşğç]*|m[ıiuü]ş[a-zıöüşğç]*|m[ae]k)$/;
/** Uzbek o' and g'. */
const UZBEK_APOSTROPHE = /[og]['’ʻʼ]/;
/** q not before u is Kazakh (qazaq, joq); English q is "qu". */
const KAZAKH_Q = /q(?!u)/;
/** A y between consonants is the Kazakh ы (jumysta, barlyq); English has it in few words (system, gym). */
const INNER_Y = /[bcdfghjklmnpqrstvxz]y[bcdfghjklmnpqrstvxz]/;
const KAZAKH_LATIN_SUFFIX = /(?:myz|mız|miz|pyz|byz|myn|mın|pyn|byn|dyn|tyn|nyn|dyñ|tyñ|nyñ|dym|tym|lyq|lyk|dyq|dyk|tyq|qan|ğan|ghan|lary|leri|dary|tary|ymyz|shy|şy)$/;

/** Reused per call: votes per language. */
const votes = new Float64Array(4);

function voteListed(kazakh: boolean, russianOrEnglish: boolean, otherLang: boolean, lang: number): boolean {
  const matches = Number(kazakh) + Number(russianOrEnglish) + Number(otherLang);
  if (matches === 0) return false;
  const share = STRONG / matches;
  if (kazakh) votes[KK] += share;
  if (russianOrEnglish) votes[lang] += share;
  if (otherLang) votes[OTHER] += share;
  return true;
}

function voteCyrillic(word: string): void {
  if (OTHER_CYRILLIC.has(word) || OTHER_CYRILLIC_LETTER.test(word)) {
    votes[OTHER] += STRONG;
    return;
  }
  if (KAZAKH_CYRILLIC_LETTER.test(word)) {
    const kyrgyz = KYRGYZ_LONG_VOWEL.test(word) && !KAZAKH_NOT_KYRGYZ_LETTER.test(word);
    votes[kyrgyz ? OTHER : KK] += STRONG;
    return;
  }
  const kazakh = KAZAKH_CYRILLIC_ONLY.has(word) || KAZAKH_ON_RUSSIAN_KEYBOARD.has(word);
  if (voteListed(kazakh, RUSSIAN.has(word), false, RU)) return;
  if (KAZAKH_FOLDED_SUFFIX.test(word)) votes[KK] += WEAK;
  else if (RUSSIAN_SUFFIX.test(word)) votes[RU] += WEAK;
  else votes[RU] += PRIOR;
}

function voteLatin(word: string): void {
  if (UZBEK_APOSTROPHE.test(word) || OTHER_LATIN_LETTER.test(word)) {
    votes[OTHER] += STRONG;
    return;
  }
  const english = ENGLISH.has(word);
  const otherLang = OTHER_LATIN.has(word);
  const kazakh = KAZAKH_SKELETONS.has(skeleton(word));
  if (voteListed(kazakh, english, otherLang, EN)) return;
  if (KAZAKH_LATIN_LETTER.test(word)) {
    votes[KK] += STRONG;
    return;
  }
  if (TURKISH_SUFFIX.test(word)) {
    votes[OTHER] += STRONG;
    return;
  }
  if (DOTLESS_I.test(word)) {
    votes[KK] += STRONG / 4;
    votes[OTHER] += (STRONG * 3) / 4;
    return;
  }
  if (SHARED_LATIN_LETTER.test(word)) {
    votes[KK] += STRONG / 2;
    votes[OTHER] += STRONG / 2;
    return;
  }
  let kazakhEvidence = 0;
  if (KAZAKH_Q.test(word)) kazakhEvidence += WEAK;
  if (KAZAKH_LATIN_SUFFIX.test(word)) kazakhEvidence += WEAK;
  if (INNER_Y.test(word)) kazakhEvidence += HINT;
  if (kazakhEvidence > 0) votes[KK] += kazakhEvidence;
  else votes[EN] += PRIOR;
}

/** What a character is to the word scanner. */
const NOT_WORD = 0;
const LATIN_LETTER = 1;
const CYRILLIC_LETTER = 2;
const OTHER_LETTER = 3;
/** Letters of scripts written without spaces (Han, kana, Thai...): a run of them is many words. */
const UNSPACED_LETTER = 4;
const MARK = 5;
/** Inside a word only (don't, o'z). */
const APOSTROPHE = 6;

const UNSPACED_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
function charClass(ch: string): number {
  if (ch === "'" || ch === '’' || ch === 'ʼ' || ch === 'ʻ') return APOSTROPHE;
  if (/\p{M}/u.test(ch)) return MARK;
  if (!/\p{L}/u.test(ch)) return NOT_WORD;
  if (/\p{Script=Latin}/u.test(ch)) return LATIN_LETTER;
  if (/\p{Script=Cyrillic}/u.test(ch)) return CYRILLIC_LETTER;
  return UNSPACED_SCRIPT.test(ch) ? UNSPACED_LETTER : OTHER_LETTER;
}
const CLASS_TABLE_END = 0x3000;
const CHAR_CLASS = Uint8Array.from({ length: CLASS_TABLE_END }, (_, code) => charClass(String.fromCharCode(code)));

/** Counts of the current word's letters per class, reused. */
const letters = new Uint16Array(UNSPACED_LETTER + 1);

function voteWord(word: string): void {
  const latin = letters[LATIN_LETTER]!;
  const cyrillic = letters[CYRILLIC_LETTER]!;
  const other = letters[OTHER_LETTER]! + letters[UNSPACED_LETTER]!;
  if (other > cyrillic && other > latin) votes[OTHER] += letters[UNSPACED_LETTER]! > 0 ? Math.ceil(other / 2) : STRONG;
  else if (cyrillic >= latin) voteCyrillic(word);
  else voteLatin(word);
}

const isLetter = (cls: number) => cls >= LATIN_LETTER && cls <= UNSPACED_LETTER;

/** Splits lowercase text into words (letters, with marks and inner apostrophes) and lets each vote. */
function voteWords(text: string): boolean {
  let any = false;
  let start = -1;
  letters.fill(0);
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 0x20;
    let cls: number;
    let width = 1;
    if (code < CLASS_TABLE_END) {
      cls = CHAR_CLASS[code]!;
    } else {
      const point = text.codePointAt(i)!;
      cls = charClass(String.fromCodePoint(point));
      if (point > 0xffff) width = 2;
    }
    if (isLetter(cls)) {
      if (start < 0) start = i;
      letters[cls]!++;
    } else if (start >= 0) {
      const next = text.charCodeAt(i + 1);
      const continuesWord = cls === MARK || (cls === APOSTROPHE && next < CLASS_TABLE_END && isLetter(CHAR_CLASS[next]!));
      if (!continuesWord) {
        any = true;
        voteWord(text.slice(start, i));
        start = -1;
        letters.fill(0);
      }
    }
    i += width - 1;
  }
  return any;
}

/** The language a BCP-47 tag names, among the ones Tagpulse distinguishes; undefined for none or "und". */
export function langFromTag(tag: string | undefined): Lang | undefined {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0];
  if (!primary || primary === 'und' || primary === 'zxx' || primary === 'mul') return undefined;
  return primary === 'kk' || primary === 'ru' || primary === 'en' ? primary : 'other';
}

/**
 * The language of a post: kk, ru, en or other. Hashtags, mentions and URLs are ignored; when nothing else is
 * left, the platform's claim decides, or without one the hashtags' words. `platformLang` (BCP-47) otherwise
 * weighs a little.
 */
export function detectLanguage(text: string, platformLang?: string): Lang {
  votes.fill(0);
  const lowered = text.toLowerCase();
  const claimed = langFromTag(platformLang);
  if (!voteWords(lowered.replace(NOT_PROSE, ' ')) && claimed === undefined) {
    voteWords(lowered.replace(NOT_PROSE, (match) => (match[0] === '#' || match[0] === '＃' ? ` ${match.slice(1)}` : ' ')));
  }
  if (claimed !== undefined) votes[LANGS.indexOf(claimed)] += PLATFORM_CLAIM;
  // Ties go to the earlier language in TIE_ORDER.
  let best: number = TIE_ORDER[0];
  for (const lang of TIE_ORDER) if (votes[lang]! > votes[best]!) best = lang;
  return votes[best] === 0 ? 'other' : LANGS[best]!;
}
