import { describe, expect, it } from 'vitest';
import { AbuseVerdict } from '../../../schemas/post.js';
import { classify } from '../../../processors/abuse/classify.js';

/** Asserts the post is abusive with `category` among its categories, and whom it targets. */
function expectAbuse(text: string, category: string, towardWomen: boolean, lang?: string) {
  const verdict = classify(text, lang);
  expect(verdict, text).toMatchObject({ abusive: true, towardWomen });
  expect(verdict.categories, text).toContain(category);
  return verdict;
}

function expectClean(text: string, lang?: string) {
  const verdict = classify(text, lang);
  expect(verdict, `${text} → ${JSON.stringify(verdict.evidence)}`).toMatchObject({ abusive: false, towardWomen: false, categories: [], evidence: [] });
  return verdict;
}

describe('classify: every category in every language', () => {
  it.each([
    ['ru', 'sexual_slur', 'Ну ты и шалава, Айгуль'],
    ['ru', 'dehumanizing', 'Ты просто мерзкая тварь, Динара'],
    ['ru', 'threat', 'Я тебя найду и убью, активистка'],
    ['ru', 'appearance', 'Она уродина, вот и злится'],
    ['ru', 'intellect', 'Какая же ты глупая, девочка'],
    ['ru', 'gender_role', 'Вернись на кухню, женщина'],
    ['ru', 'victim_blaming', 'Сама напросилась, нечего было ходить к нему домой'],
    ['ru', 'doxxing', 'Её телефон 8 (707) 123-45-67, звоните ей все'],
    ['ru', 'self_harm', 'Лучше бы ты повесилась'],
    ['kk', 'sexual_slur', 'Сен жалапсың, білдің бе'],
    ['kk', 'dehumanizing', 'Қаншықтар тағы шулап жатыр'],
    ['kk', 'threat', 'Сені тауып алып сабаймын'],
    ['kk', 'appearance', 'Сен ұсқынсыз қызсың'],
    ['kk', 'intellect', 'Миың жоқ қыз екенсің'],
    ['kk', 'gender_role', 'Әйелдің орны ас үйде, митингте емес'],
    ['kk', 'victim_blaming', 'Өзі кінәлі, түнде жүрген'],
    ['kk', 'doxxing', 'Оның ЖСН 950315400123, хабарласыңдар'],
    ['kk', 'self_harm', 'Өліп кетсеңші'],
    ['kk-latin', 'sexual_slur', 'Sen jezökşesiñ'],
    ['kk-latin', 'dehumanizing', 'Qanşyqtar şulap jatyr'],
    ['kk-latin', 'threat', 'Seni öltiremin'],
    ['kk-latin', 'intellect', 'Aqymaq qyzdar'],
    ['kk-latin', 'gender_role', 'Äieldiñ orny as üide'],
    ['kk-latin', 'victim_blaming', 'Özi kinäli'],
    ['kk-latin', 'self_harm', 'Ölip qalsañşy'],
    ['en', 'sexual_slur', 'She is such a whore'],
    ['en', 'dehumanizing', 'You are a filthy pig'],
    ['en', 'threat', 'I will kill you, feminist'],
    ['en', 'appearance', 'You are so ugly'],
    ['en', 'intellect', 'What a moron she is'],
    ['en', 'gender_role', 'Women should stay at home'],
    ['en', 'victim_blaming', 'She was asking for it'],
    ['en', 'doxxing', 'Her address is 5 Dostyk Ave, apt 12, go visit her'],
    ['en', 'self_harm', 'Kill yourself, nobody cares'],
    ['mixed', 'sexual_slur', 'Эта жезөкше опять в эфире'],
    ['mixed', 'gender_role', 'Қыз бала должна дома сидеть'],
  ])('%s %s: %s', (lang, category, text) => {
    expectAbuse(text, category, true, lang === 'kk-latin' ? 'kk' : lang);
  });
});

describe('classify: evasion', () => {
  it.each([
    ['Latin look-alikes in Cyrillic', 'Ты сyкa продажная'],
    ['Cyrillic look-alikes in Latin', 'you stupid bitсh'],
    ['all-Latin look-alikes of a Cyrillic word', 'cyka ты'],
    ['spaced letters', 'с у к а ты'],
    ['hyphenated letters', 'ш-л-ю-х-а'],
    ['dotted letters', 'ш.а.л.а.в.а'],
    ['two spaced words', 'т у п а я к у р и ц а, иди отсюда'],
    ['asterisk', 'ты с*ка'],
    ['asterisk inside', 'шл*ха продажная'],
    ['asterisk in English', 'dumb b*tch'],
    ['digits for letters (Cyrillic)', 'ты 6лядь'],
    ['digits for letters (Latin)', 'stupid b1tch'],
    ['@ for a', 'ты ш@л@в@'],
    ['repeated letters', 'сууукааа ты'],
    ['repeated letters (English)', 'sluuuuut'],
    ['informal Latin Kazakh', 'Qanshyq, auzyndy zhap'],
    ['Russian transliteration', 'ty shluha'],
  ])('%s: %s', (_kind, text) => {
    expect(classify(text).abusive, text).toBe(true);
  });

  it('does not read a heavily masked word (b****) as anything', () => {
    expectClean('b**** please');
  });
});

describe('classify: inflection', () => {
  it.each([
    'шлюха', 'шлюхи', 'шлюхе', 'шлюху', 'шлюхой', 'шлюхам', 'шлюхами', 'шлюхах', 'шлюшка', 'шлюшки', 'шлюх',
    'сучка', 'сучара', 'дурой', 'дурочка', 'идиоткой', 'курицы', 'овечка', 'тупые', 'тупую', 'проститутками',
  ])('Russian: «ты %s»', (word) => {
    expect(classify(`ты ${word}`).abusive, word).toBe(true);
  });

  it.each([
    'жезөкше', 'жезөкшелер', 'жезөкшені', 'жезөкшеге', 'жезөкшенің', 'жезөкшеде', 'жезөкшелерге', 'жезөкшесің',
    'қаншық', 'қаншықтар', 'қаншыққа', 'қаншықтың', 'қаншығым', 'қаншықтарды', 'ақымақсың', 'ақымақтар',
  ])('Kazakh: «%s»', (word) => {
    expect(classify(`сен ${word}`).abusive, word).toBe(true);
  });

  it('does not stretch a stem to other words (сукно, шлюз, путаный, истерика, тупик)', () => {
    for (const text of ['Купила сукно на пальто', 'Шлюз на канале закрыт', 'Путаные объяснения акимата', 'Истерика вокруг налога', 'Зашли в тупик переговоры']) {
      expectClean(text);
    }
  });
});

describe('classify: whom the abuse targets', () => {
  it('Russian grammatical gender: тупая (a woman) vs тупой (a man)', () => {
    expectAbuse('Ты тупая что ли?', 'intellect', true);
    expectAbuse('Ты тупой что ли?', 'intellect', false);
  });

  it('past tense agreement: пошла / понял', () => {
    expectAbuse('Ещё раз напишешь — ноги переломаю, поняла?', 'threat', true);
    expectAbuse('Ещё раз напишешь — ноги переломаю, понял?', 'threat', false);
  });

  it('a feminine slur aimed at a man is abuse, not toward women', () => {
    expectAbuse('Он продажная тварь и сука, сдал всех своих', 'sexual_slur', false);
  });

  it('gendered nouns in each language decide', () => {
    expectAbuse('Ақымақ қыз', 'intellect', true, 'kk');
    expectAbuse('Ақымақ жігіт', 'intellect', false, 'kk');
    expectAbuse('This guy is a moron', 'intellect', false, 'en');
    expectAbuse('This girl is a moron', 'intellect', true, 'en');
    expectAbuse('Эта баба дура', 'intellect', true);
    expectAbuse('Этот мужик дурак', 'intellect', false);
  });

  it('gender-role and victim-blaming abuse targets women even near a masculine pronoun', () => {
    expectAbuse('Не надо было садиться к нему в машину', 'victim_blaming', true);
  });

  it('abuse that says nothing of its target counts as toward women (the corpus policy)', () => {
    expectAbuse('Сені өлтіремін', 'threat', true, 'kk');
  });
});

describe('classify: not abuse', () => {
  it.each([
    ['testimony, quoted', 'Мне писали «шлюха» и «сама виновата». Больше не молчу.'],
    ['testimony, unquoted', 'Начальник годами называл меня шлюхой при всех.'],
    ['testimony, English', 'My ex called me a fat cow for years. I left.'],
    ['testimony, Kazakh', 'Маған «жезөкше» деп жазды. Шағым түсірдім.'],
    ['testimony, Kazakh Latin', 'Meni «jezökşe» dep qorlady'],
    ['counter-speech', 'Называть женщин курицами — это унижение.'],
    ['counter-speech, quoted', 'Слово «шалава» — оскорбление, хватит.'],
    ['counter-speech, English', 'Calling women "sluts" is harassment.'],
    ['counter-speech, Kazakh', 'Әйелдерді «қаншық» деп атау — қорлау.'],
    ['self-defence', 'Я не шлюха и не дура, я журналистка'],
    ['news', 'Суд оштрафовал блогера, назвавшего активистку «продажной шлюхой», сообщает Власть.кз'],
    ['news of a crime', 'Мужчину осудили за попытку изнасиловать девушку'],
    ['criticism of a woman politician', 'Депутатка проголосовала против закона — позор такому решению'],
    ['food', 'Курица с картошкой — лучший ужин'],
    ['livestock', 'Корова дала рекордный удой, фермеры довольны'],
    ['livestock, Kazakh', 'Сиыр сатылады, бағасы келісімді'],
    ['livestock, English', 'The cows are grazing on the farm'],
    ['a dog at the vet', 'The vet says the bitch will have puppies in May'],
    ['a dog, Russian', 'Наша сука принесла щенков'],
    ['an interjection', 'Сука, опять пробки на Аль-Фараби'],
    ['an adjective about a thing', 'Тупая политика акимата, жирный шрифт, страшная авария'],
    ['an announcement with an address', 'Серуен в 12:00, ул. Абая 10, вход свободный'],
  ])('%s: %s', (_kind, text) => {
    expectClean(text);
  });

  it('abuse outside the quote still counts', () => {
    expectAbuse('Мне писали «сама виновата», а ты шлюха', 'sexual_slur', true);
  });
});

describe('classify: generalisation mechanisms', () => {
  it('reads Kazakh and Russian second-person endings as addressing a person', () => {
    expectAbuse('Надандар, заңды оқып алыңдар', 'intellect', true, 'kk');
    expectAbuse('Туповатая, пишешь всякую чушь', 'intellect', true);
  });

  it('stacked insults are name-calling without another person word', () => {
    expectAbuse('st*pid c*w', 'dehumanizing', true, 'en');
    expectAbuse('Ugly old witch, retire already', 'appearance', true, 'en');
  });

  it('a homonym guard of an adjective looks only at the words beside it', () => {
    expectClean('Страшная пробка на Аль-Фараби');
    expectAbuse('Страшная как атомная война, вот мужики и не смотрят', 'appearance', true);
  });

  it('single quotes quote, apostrophes do not', () => {
    expectClean("Words like 'slut' and 'hag' are used to silence women. Call it out.", 'en');
    expectAbuse("She's a dumb slag", 'sexual_slur', true, 'en');
  });

  it('quoted abuse in a post where the author speaks of themselves is testimony', () => {
    expectClean('Под каждым моим постом комментарии вроде «иди борщ вари». Устала.');
    expectClean('Его родственники писали, что я шалава и сама виновата.');
  });

  it("the author's own animal is the animal", () => {
    expectClean('Наша корова Бурёнка опять ушла к соседям');
  });

  it("the target is not the insult itself, the author's relative, or a word of another script's language", () => {
    expectAbuse('semiz siyr, dieta jasa', 'dehumanizing', true, 'kk');
    expectAbuse('Сдохни, мразь, ты избивал жену', 'self_harm', false);
    expectAbuse('Муж её — алкаш и дегенерат, вот она и бесится', 'intellect', false);
    expectAbuse('Этот аким — вор и мразь', 'dehumanizing', false);
  });

  it('spaced-out letters join only into insults, not into other words of a phrase', () => {
    expectAbuse('т у п а я  к у р и ц а, иди отсюда', 'dehumanizing', true);
  });
});

describe('classify: innocent senses of words in abuse phrases', () => {
  it.each([
    ['ru', 'Пусть дети занимаются спортом после школы'],
    ['ru', 'Выпей таблетку и ложись спать'],
    ['ru', 'Дни этого режима сочтены'],
    ['ru', 'Встретимся у подъезда в 8, пойдём на серуен'],
    ['ru', 'Настоящая женщина не сдаётся'],
    ['ru', 'Айгерим вышла замуж, ей 25'],
    ['ru', 'Сама легла в больницу на обследование'],
    ['ru', 'Повешу плакат на стену к митингу'],
    ['ru', 'Пустим петицию по кругу'],
    ['ru', 'Поздравляем всех хранительниц очага!'],
    ['ru', 'Если бы он не избил её, она была бы жива'],
    ['ru', 'Она пошла рожать в три ночи'],
    ['ru', 'Вечером играли с братом в дурака'],
    ['ru', 'Купили козу для дачи, дети в восторге'],
    ['kk', 'Ертең үйіңе барамын, дастарқан жайып қой'],
    ['kk', 'Бетіме крем жағып, суретке түсіремін'],
    ['kk', 'Қой сойып тастаймын, қонақтар келеді'],
    ['kk', 'Ерте тұрмысқа шығу мәселесі талқыланды'],
    ['kk', 'Ақылды кадрлар жетпейді'],
    ['kk', 'Ит сияқты адал дос'],
    ['kk', 'qanshyk itimiz kushiktedi, kim alady?'],
    ['en', "I hope she's not hurt after the march"],
    ['en', 'I know where kids can learn coding for free'],
    ['en', 'This is a witch hunt against the activists'],
    ['en', 'Go have fun with your kids this weekend'],
    ["en", "I'll make my husband dinner tonight"],
    ['en', 'She will never see her son again'],
    ['en', "Women shouldn't be excluded from politics"],
    ['en', 'Stop crying wolf about inflation'],
  ])('%s: %s', (lang, text) => {
    expectClean(text, lang);
  });
});

describe('classify: verdict', () => {
  it('matches the AbuseVerdict schema, with the evidence span as written in the text', () => {
    const text = 'Ну ты и Ш-Л-Ю-Х-А, а ещё с*ка и Cуkа';
    const verdict = AbuseVerdict.parse(classify(text));
    expect(verdict.evidence).toEqual([
      { category: 'sexual_slur', span: 'Ш-Л-Ю-Х-А', rule: 'ru.sexual_slur.shlyukha' },
      { category: 'sexual_slur', span: 'с*ка', rule: 'ru.sexual_slur.suka' },
      { category: 'sexual_slur', span: 'Cуkа', rule: 'ru.sexual_slur.suka' },
    ]);
    for (const { span } of verdict.evidence) expect(text).toContain(span);
  });

  it('a phrase span runs from its first word to its last', () => {
    const { evidence } = classify('Место бабы — на кухне!');
    expect(evidence).toEqual([{ category: 'gender_role', span: 'Место бабы — на кухне', rule: 'ru.gender_role.kitchen' }]);
  });

  it('scores in [0, 1]; weak cues alone are not abuse, weak cues of two rules together are', () => {
    const weak = classify('Скоро встретимся. Пожалеешь.');
    expect(weak.abusive).toBe(false);
    expect(weak.score).toBeGreaterThan(0);
    expect(weak.score).toBeLessThan(0.5);
    const strong = classify('Скоро встретимся. Посмотри на себя.');
    expect(strong.abusive).toBe(true);
    expect(strong.score).toBeLessThanOrEqual(1);
    expect(classify('Сегодня серуен в 12:00').score).toBe(0);
  });

  it('is deterministic', () => {
    const text = 'Ты тупая шлюха';
    expect(classify(text)).toEqual(classify(text));
  });
});
