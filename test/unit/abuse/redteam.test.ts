import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify } from '../../../processors/abuse/classify.js';
import { evaluate, parseDataset, TARGETS } from '../../../processors/abuse/evaluation.js';
import { packageRoot } from '../../../processors/abuse/lexicon.js';

/**
 * Red-team sets (test/fixtures/abuse-redteam*.jsonl), each written before the classifier was run on it;
 * their scores are in docs/abuse-methodology.md. The floors are the scores reached after the general
 * gaps each set showed were fixed, less about one post's worth, so a lexicon or matching change that
 * loses ground on them fails here.
 */
const FLOORS = [
  { file: 'abuse-redteam.jsonl', abusiveF1: 0.97, towardWomenF1: 0.97 },
  { file: 'abuse-redteam2.jsonl', abusiveF1: 0.95, towardWomenF1: 0.95 },
  { file: 'abuse-redteam3.jsonl', abusiveF1: 0.95, towardWomenF1: 0.93 },
  { file: 'abuse-redteam4.jsonl', abusiveF1: 0.95, towardWomenF1: 0.95 },
  { file: 'abuse-redteam5.jsonl', abusiveF1: 0.95, towardWomenF1: 0.93 },
  { file: 'abuse-redteam6.jsonl', abusiveF1: 0.95, towardWomenF1: 0.95 },
  { file: 'abuse-redteam7.jsonl', abusiveF1: 0.96, towardWomenF1: 0.93 },
];

describe.each(FLOORS)('red-team set $file', ({ file, abusiveF1, towardWomenF1 }) => {
  const evaluation = evaluate(parseDataset(readFileSync(join(packageRoot(), 'test', 'fixtures', file), 'utf8')), classify);
  const mistakes = JSON.stringify(evaluation.mistakes, null, 1);

  it(`abusive F1 ≥ ${abusiveF1}, toward_women F1 ≥ ${towardWomenF1}`, () => {
    expect(evaluation.abusive.f1, mistakes).toBeGreaterThanOrEqual(abusiveF1);
    expect(evaluation.towardWomen.f1, mistakes).toBeGreaterThanOrEqual(towardWomenF1);
  });

  it(`flags at most ${TARGETS.maxQuotingFalsePositiveRate * 100}% of its testimony, counter-speech and news`, () => {
    expect(evaluation.quotingFalsePositives.rate, mistakes).toBeLessThanOrEqual(TARGETS.maxQuotingFalsePositiveRate);
  });
});

/**
 * The general mechanisms the fourth set led to, on sentences of their own (not from the set): animal
 * words count only when said of a person, templates of everyday words need their context, a rebutted
 * question and a colon after a reporting word or channel quote, and words split by noise are rejoined.
 */
describe('red-team 4 mechanisms', () => {
  it.each([
    ['Бабушка купила корову и двух овец', 'ru'],
    ['Сиырлар жайылымда', 'kk'],
    ['Мама должна была родить в мае', 'ru'],
    ['Не надо было идти на концерт под дождём', 'ru'],
    ['We will find you a lawyer', 'en'],
    ['Она шлюха? Нет, она журналист.', 'ru'],
    ['Каждый день в директе: дура, овца. Устала.', 'ru'],
    ['Позвоните в кризисный центр: +7 727 123 45 67', 'ru'],
    ['Ешкім келмеді', 'kk'],
    ['Надо бить тревогу, законы не работают', 'ru'],
  ])('not abuse: %s', (text, lang) => {
    expect(classify(text, lang).abusive).toBe(false);
  });

  it.each([
    ['Эта корова опять в эфире', 'ru'],
    ['Ол нағыз сиыр', 'kk'],
    ['She is a cow', 'en'],
    ['Пусть сидит дома и борщи варит', 'ru'],
    ['Таких надо пороть публично', 'ru'],
    ['Оларды сабап тастау керек', 'kk'],
    ['I know where your daughter goes to school', 'en'],
    ['ты шлю.ха', 'ru'],
    ['шл\u200bюха ты', 'ru'],
    ['u r a sl00t', 'en'],
  ])('abuse: %s', (text, lang) => {
    expect(classify(text, lang).abusive).toBe(true);
  });
});

/**
 * The general mechanisms the fifth set led to, on sentences of their own: an exclamation says an animal
 * word of someone, affection marks teasing among friends (mild insults only), a Latin q not before u marks
 * informal Kazakh Latin even beside English words, a man's name tells the target, and quoting a title or an
 * argument is mentioning.
 */
describe('red-team 5 mechanisms', () => {
  it.each([
    ['Какая корова у соседей, даёт двадцать литров молока', 'ru'],
    ['Жанар, сен ақымақсың ғой 😂❤️ кілтіңді тағы ұмыттың', 'kk'],
    ['ты дурочка моя, люблю тебя 😘', 'ru'],
    ['You silly idiot, love you 💕 see you at practice', 'en'],
    ['Читали книгу «Идиот»? Обсудим в клубе', 'ru'],
    ['Calling her "fat" is not an argument', 'en'],
  ])('not abuse: %s', (text, lang) => {
    expect(classify(text, lang).abusive).toBe(false);
  });

  it.each([
    ['Ну и корова, на себя бы посмотрела', 'ru'],
    ['What a cow, shut up already', 'en'],
    ['Ты дура ❤️ и шлюха', 'ru'],
    ['Qyz, tynysh otyr, who cares', 'mixed'],
  ])('abuse: %s', (text, lang) => {
    expect(classify(text, lang).abusive).toBe(true);
  });

  it('ты дура among hearts is teasing, but a threat among them is not', () => {
    expect(classify('Дура ты моя ❤️', 'ru').abusive).toBe(false);
    expect(classify('Я тебя убью ❤️', 'ru').abusive).toBe(true);
  });

  it('a man named in the sentence is the target of a common-gender insult', () => {
    expect(classify('Ерлан, ты тупица', 'ru')).toMatchObject({ abusive: true, towardWomen: false });
    expect(classify('Nurlan is such an idiot', 'en')).toMatchObject({ abusive: true, towardWomen: false });
  });
});

/** The sixth set's mechanisms, on sentences of their own: a child's school is personal data, '4' reads as 'а'. */
describe('red-team 6 mechanisms', () => {
  it.each([
    ['Её сын ходит в школу №12, пусть подумает', 'ru'],
    ['Ты шлюх4', 'ru'],
    ['Подкараулим её у офиса, поговорим по-мужски', 'ru'],
    ['Оның баласы № 45 мектепте оқиды, барыңдар', 'kk'],
  ])('abuse: %s', (text, lang) => {
    expect(classify(text, lang).abusive).toBe(true);
  });

  it.each([
    ['Школа №12 приглашает на день открытых дверей, звоните', 'ru'],
    ['Selling three sheep and a cow, good price', 'en'],
    ['Ауылдағы сиырлар жайылымда', 'kk'],
  ])('not abuse: %s', (text, lang) => {
    expect(classify(text, lang).abusive).toBe(false);
  });
});

/** The seventh set's mechanisms, on sentences of their own: veiled threats, counterfactual blame, a verdict before an animal word. */
describe('red-team 7 mechanisms', () => {
  it.each([
    ['Продолжай в том же духе, и ты ещё пожалеешь', 'ru'],
    ['Не ходила бы по клубам, никто бы не тронул', 'ru'],
    ['Она обычная корова, а не активистка', 'ru'],
    ['It would be a shame if anything happened to her car', 'en'],
    ['Есігіңді түнде қағамыз, күте бер', 'kk'],
  ])('abuse: %s', (text, lang) => {
    expect(classify(text, lang).abusive).toBe(true);
  });

  it.each([
    ['Мы знаем, где будет митинг, приходите', 'ru'],
    ['Ножницы совсем тупые, купите новые', 'ru'],
    ['Если ваш аргумент «иди на кухню», спорить не о чем', 'ru'],
    ['Bought two fat geese at the market', 'en'],
  ])('not abuse: %s', (text, lang) => {
    expect(classify(text, lang).abusive).toBe(false);
  });
});
