/**
 * The abuse-toward-women classifier: a pure, synchronous function of a post's text. Rules and lexicons
 * are data (lexicon/*.json); this module decides, for every rule that matched, whether the words are
 * used or only mentioned (quoted, reported, condemned, negated, a homonym), whom they target, and how
 * sure the verdict is. The policy is in docs/abuse-methodology.md.
 */
import type { AbuseVerdict } from '../../schemas/post.js';
import { loadLexicon, type FrameKind, type Gender, type Lexicon, type Rule } from './lexicon.js';
import { findPhrases, scriptAllowed, wordHits, type Occurrence } from './match.js';
import type { Reading, Token } from './normalise.js';

export type Classifier = (text: string, lang?: string) => AbuseVerdict;

/** Letters only Kazakh Latin writing uses (and q not before u, informal Latin's қ: 'qyz', 'qatyn'): a post with them is not English. */
const KAZAKH_LATIN = /[äöüūğşñı]|q(?!u)/iu;
/**
 * Frames that make quoted words a quotation rather than the author's own; a post where the author
 * speaks of themselves ('под моим постом «иди борщ вари»') is testimony.
 */
const QUOTING_FRAMES: FrameKind[] = ['report', 'condemn', 'meta', 'news', 'firstPersonRecipient'];
/** How far (in words) a negation may stand from the word it negates, and an agreeing word from 'ты'. */
const NEGATION_REACH = 2;
const AGREEMENT_REACH = 3;
/** Letters a word must have before an addressee ending ('алыңдар') for the ending to count. */
const ADDRESSEE_MIN_STEM = 2;
/** How far (in words) two insults may stand apart to be one name-calling ('ugly old witch'). */
const STACKED_INSULT_REACH = 2;
/** How long (in words) a clause opening with an animal word may be for the word to be a vocative ('Заткнись, овца крашеная, ...'). */
const VOCATIVE_REACH = 3;
/** How far (in words) before an animal word a person word may stand for the word to be said of it ('эта фемка — корова'). */
const PREDICATE_REACH = 4;
/** How far (in words) after an animal word a person's prop may stand ('Мартышка с микрофоном'). */
const PROP_REACH = 2;
/** How far (in words) after the words a Kazakh quotative may stand to report them ('... ас үйде деген'). */
const QUOTATIVE_REACH = 2;

/** A word that tells the gender of whom a clause is about. */
interface GenderSignal {
  index: number;
  gender: Gender;
  /**
   * A pronoun or gendered noun, or agreement beside 'ты' ('ты избивал' tells the addressee's sex as
   * surely as a pronoun); otherwise Russian agreement (тупая/тупой, пошла/понял).
   */
  explicit: boolean;
}

interface Found {
  category: string;
  rule: string;
  weight: number;
  first: number;
  last: number;
  span: string;
  target: Gender | undefined;
}

const isOneWord = (occurrence: Occurrence) => occurrence.phrase.elements.length === 1;

/** Everything the decisions about one post look at. */
class Post {
  readonly byKind = new Map<string, Occurrence[]>();
  readonly frames = new Map<FrameKind, Occurrence[]>();
  readonly signals: GenderSignal[] = [];
  /** Words that denote a person (pronouns, people nouns, insults for people, imperatives, addressee endings). */
  readonly persons = new Set<number>();
  /** Words right after a first-person word: the author's own ('моей сестре', 'наша корова'). */
  private readonly afterFirstPerson = new Set<number>();
  /** Homonym words found, by the rule they show a homonym of. */
  private readonly homonyms = new Map<Rule, Occurrence[]>();
  /** Rules whose `onlyWith` words the post has. */
  private readonly requirementsMet = new Set<Rule>();
  /** Words with a second-person ending ('сиырсың', 'пишешь'): they address someone themselves. */
  private readonly addressed = new Set<number>();
  /** Pronouns and people nouns ('она', 'фемки', 'she', 'қыз'): what an animal word may be said of. */
  private readonly personWords = new Set<number>();
  /** Words of the `persons` and `props` lists (imperatives, people in general, a person's props like 'микрофон'). */
  private readonly propWords: number[] = [];

  constructor(
    readonly lexicon: Lexicon,
    readonly text: string,
    readonly tokens: Token[],
    readings: Reading[][],
    readonly occurrences: Occurrence[],
    transliteration: boolean,
    lang: string | undefined,
  ) {
    // A gendered word that is itself the insult ('siyr' also reads as English 'sir'), one of the
    // author's own people ('к моей сестре', 'my wife'), or a word of a language written in another
    // script than the post's declared one (Kazakh 'men' is 'I', not English 'men') says nothing about
    // whom the abuse targets.
    const insultWords = new Set<number>();
    for (const { phrase, first, last } of occurrences) {
      if (phrase.owner.kind === 'rule' && phrase.elements.length === 1) insultWords.add(first);
      else if (phrase.owner.kind === 'frame' && phrase.owner.frame === 'firstPersonRecipient') this.afterFirstPerson.add(last + 1);
    }
    const declaredScript = lang === undefined ? undefined : lexicon.languageScripts.get(lang);
    for (const occurrence of occurrences) {
      const owner = occurrence.phrase.owner;
      const list = this.byKind.get(owner.kind) ?? [];
      list.push(occurrence);
      this.byKind.set(owner.kind, list);
      if (owner.kind === 'frame') {
        const frames = this.frames.get(owner.frame) ?? [];
        frames.push(occurrence);
        this.frames.set(owner.frame, frames);
        if (owner.frame === 'secondPerson') this.persons.add(occurrence.first);
      } else if (owner.kind === 'gender') {
        const foreign = declaredScript !== undefined && owner.script !== declaredScript;
        if (!insultWords.has(occurrence.first) && !this.afterFirstPerson.has(occurrence.first) && !foreign) {
          this.signals.push({ index: occurrence.first, gender: owner.gender, explicit: true });
        }
        this.persons.add(occurrence.first);
        this.personWords.add(occurrence.first);
      } else if (owner.kind === 'homonym') {
        const list = this.homonyms.get(owner.rule) ?? [];
        list.push(occurrence);
        this.homonyms.set(owner.rule, list);
      } else if (owner.kind === 'requirement') {
        this.requirementsMet.add(owner.rule);
      } else if (owner.kind === 'prop') {
        this.propWords.push(occurrence.first);
      } else if (owner.kind === 'person') {
        this.persons.add(occurrence.first);
        this.personWords.add(occurrence.first);
        this.propWords.push(occurrence.first);
      } else if (owner.kind === 'rule' && isOneWord(occurrence) && !owner.rule.needsPerson) {
        this.persons.add(occurrence.first);
      }
    }
    this.addAgreementSignals();
    this.addAddressees(readings, transliteration);
  }

  /**
   * Kazakh and Russian verbs and nouns carry the addressee in their ending ('оқып алыңдар', 'ақымақсың',
   * 'пишешь'), so a post without a pronoun still addresses a person.
   */
  private addAddressees(readings: Reading[][], transliteration: boolean): void {
    const suffixes = this.lexicon.addresseeSuffixes;
    readings.forEach((wordReadings, index) => {
      const addressed = wordReadings.some(
        (reading) =>
          suffixes.some(
            (suffix) =>
              scriptAllowed(suffix.script, reading, transliteration) &&
              reading.skeleton.length >= suffix.skeleton.length + ADDRESSEE_MIN_STEM &&
              reading.skeleton.endsWith(suffix.skeleton),
          ),
      );
      if (addressed) {
        this.persons.add(index);
        this.addressed.add(index);
      }
    });
  }

  occurrencesOf(kind: string): Occurrence[] {
    return this.byKind.get(kind) ?? [];
  }

  framesOf(kind: FrameKind): Occurrence[] {
    return this.frames.get(kind) ?? [];
  }

  /**
   * Russian past tense and adjectives agree with whom they describe: 'ты тупая', 'пошла бы ты' (a woman),
   * 'ты тупой', 'понял?' (a man). A word counts when it is itself a one-word insult without a gender of
   * its own ('Страшная, как...'), next to a word that makes it describe the addressee ('ты', 'бы',
   * 'сама'...), or ends a question; so 'канала' or 'своей' says nothing. Other words of an abuse phrase
   * ('бы в подвал'), insults with a gender of their own ('шлюхой': the noun's ending, not the
   * target's) and pronouns ('твой' agrees with what is owned) are skipped.
   */
  private addAgreementSignals(): void {
    if (this.lexicon.agreementSuffixes.length === 0) return;
    const near = this.occurrencesOf('agreementNear').map((o) => o.first);
    const addressees = this.framesOf('secondPerson').map((o) => o.first);
    const selfAgreeing = new Set<number>();
    const skipped = new Set<number>();
    for (const o of this.occurrencesOf('rule')) {
      if (o.phrase.owner.kind !== 'rule') continue;
      const { rule } = o.phrase.owner;
      if (isOneWord(o) && !rule.wordGender) selfAgreeing.add(o.first);
      else for (let i = o.first; i <= o.last; i++) skipped.add(i);
    }
    for (const kind of ['secondPerson', 'firstPersonRecipient'] as const) for (const o of this.framesOf(kind)) skipped.add(o.first);
    this.tokens.forEach((token, index) => {
      const word = token.raw.toLowerCase();
      if (word.length < 4 || skipped.has(index) || near.includes(index)) return;
      const suffix = this.lexicon.agreementSuffixes.find((s) => word.endsWith(s.suffix));
      if (!suffix) return;
      const close = (n: number) => Math.abs(n - index) <= AGREEMENT_REACH && this.sameClause(n, index);
      const closeToNear = near.some((n) => Math.abs(n - index) <= AGREEMENT_REACH && this.sameSentence(n, index));
      if (selfAgreeing.has(index) || closeToNear || token.punctuationAfter.startsWith('?')) {
        this.signals.push({ index, gender: suffix.gender, explicit: addressees.some(close) });
      }
    });
  }

  sameSentence(a: number, b: number): boolean {
    return this.tokens[a]!.sentence === this.tokens[b]!.sentence;
  }

  sameClause(a: number, b: number): boolean {
    return this.tokens[a]!.clause === this.tokens[b]!.clause;
  }

  /**
   * Whether the words at `occurrence` are mentioned, not used: quoted in a post that reports, condemns,
   * discusses words or is news; or reported ('называл меня шлюхой', 'called me a whore', 'деп атады')
   * to the author or in a post that condemns it or is news; or discussed as words in a condemning post.
   */
  isMention(occurrence: Occurrence): boolean {
    const at = occurrence.first;
    if (this.tokens[at]!.quoted && QUOTING_FRAMES.some((k) => this.framesOf(k).length > 0)) return true;
    if (this.isRebutted(at)) return true;
    const report = this.framesOf('report');
    // A reporting verb or channel followed by a colon introduces what was said or sent ('Каждый день в
    // личке: шлюха, тварь', 'Анам айтады: ...', 'in my inbox: slut'): a quotation, even where it says 'ты'.
    if (report.some((o) => o.last < at && this.sameSentence(o.first, at) && this.tokens[o.last]!.punctuationAfter.startsWith(':'))) {
      return true;
    }
    // 'Ты называешь её шлюхой': a reporting verb whose object is a third person reports what the
    // addressee says of her, even in a clause that addresses someone.
    const thirdPerson = this.framesOf('thirdPersonObject');
    if (
      report.some(
        (o) => o.last < at && this.sameClause(o.first, at) && thirdPerson.some((t) => t.first > o.last && t.first - o.last <= 2 && t.first < at),
      )
    ) {
      return true;
    }
    const reportInClause = report.some((o) => this.sameClause(o.first, at));
    const reportBefore = report.some((o) => o.last < at && this.sameSentence(o.first, at));
    // 'Мне писали, а ты шлюха': a clause that addresses someone directly is the author's own words.
    const addressed = this.framesOf('secondPerson').some((o) => this.sameClause(o.first, at)) && !reportInClause;
    const condemned = this.framesOf('condemn').length > 0 || this.framesOf('news').length > 0;
    if ((reportInClause || reportBefore) && !addressed) {
      if (condemned || this.framesOf('firstPersonRecipient').some((o) => this.sameSentence(o.first, at))) return true;
    }
    // Kazakh quotes come before the verb ('«...» деген ескі сөз, біз онымен келіспейміз'): a reporting
    // word after the words in a condemning post reports them too.
    if (
      condemned &&
      !addressed &&
      report.some((o) => o.first > occurrence.last && o.first - occurrence.last <= QUOTATIVE_REACH && this.sameClause(o.first, occurrence.last))
    ) {
      return true;
    }
    return condemned && this.framesOf('meta').some((o) => this.sameSentence(o.first, at));
  }

  /**
   * Whether an animal word ('овца', 'сиыр', 'cow') is said of a person rather than of the animal: it
   * addresses someone itself ('сиырсың'); its clause addresses someone ('ты овца', 'заткнись овца'); it is
   * a vocative opening its clause, at most VOCATIVE_REACH words long, in a sentence that addresses someone
   * ('Заткнись, овца крашеная, тебя...'); a pronoun or people noun stands just before it in its sentence
   * ('фемки — овцы', 'she's a cow', 'эта корова', 'feminists are a plague, rats') or right after it
   * ('мыстан кемпір'); a person's prop follows it ('Мартышка с микрофоном'); or another insult stands beside it.
   */
  isSaidOfPerson(occurrence: Occurrence): boolean {
    const at = occurrence.first;
    if (this.addressed.has(at)) return true;
    const addressing = [...this.framesOf('secondPerson').map((o) => o.first), ...this.addressed];
    if (addressing.some((i) => this.sameClause(i, at))) return true;
    const clauseStart = at === 0 || !this.sameClause(at - 1, at);
    let clauseEnd = at;
    while (clauseEnd + 1 < this.tokens.length && this.sameClause(clauseEnd + 1, at)) clauseEnd++;
    // A vocative is set off by a comma or '!' ('Ведьмы — героини' is a subject), in a sentence that
    // addresses someone or gives an order.
    const vocative = clauseStart && clauseEnd - at < VOCATIVE_REACH && /^[,!]/u.test(this.tokens[clauseEnd]!.punctuationAfter);
    if (vocative && [...addressing, ...this.propWords].some((i) => i !== at && this.sameSentence(i, at))) return true;
    // An exclamation right before it ('ну и кобыла', 'what a cow') says it of someone.
    if (this.framesOf('exclamative').some((o) => o.last === at - 1)) return true;
    for (const i of this.personWords) {
      if (i < at && at - i <= PREDICATE_REACH && this.sameSentence(i, at)) return true;
      // Kazakh puts the insult before the noun it names: 'мыстан кемпір', 'сиыр қыз'.
      if (i === at + 1 && this.sameClause(i, at)) return true;
    }
    // A person's props right after it ('Мартышка с микрофоном', 'Жаба в юбке'): 'person' words, not
    // gendered nouns ('Корова у бабушки' is the grandmother's cow).
    if (this.propWords.some((i) => i > at && i - at <= PROP_REACH && this.sameClause(i, at))) return true;
    return this.occurrencesOf('rule').some(
      (o) =>
        o !== occurrence &&
        isOneWord(o) &&
        Math.min(Math.abs(o.first - occurrence.last), Math.abs(occurrence.first - o.last)) <= STACKED_INSULT_REACH &&
        this.sameClause(o.first, at),
    );
  }

  /**
   * Whether the post is affectionate (an 'affection' frame such as 'жаным', or a heart emoji): friends
   * tease each other with the mild insults of the lexicon's `teasing` categories ('ты дура 😂❤️').
   */
  isAffectionate(): boolean {
    return this.framesOf('affection').length > 0 || this.lexicon.teasing.marks.some((mark) => this.text.includes(mark));
  }

  /** Whether the post has one of the words a rule needs ('изнасил*' for 'не надо было идти'). */
  meetsRequirement(rule: Rule): boolean {
    return !rule.hasRequirement || this.requirementsMet.has(rule);
  }

  /**
   * A sentence that asks a question answered 'no' by the next one ('Она сама виновата? Нет.', 'Өзі
   * кінәлі ме? Жоқ!') rebuts its words.
   */
  isRebutted(at: number): boolean {
    const sentence = this.tokens[at]!.sentence;
    let last = at;
    while (last + 1 < this.tokens.length && this.tokens[last + 1]!.sentence === sentence) last++;
    if (!this.tokens[last]!.punctuationAfter.startsWith('?') || last + 1 >= this.tokens.length) return false;
    return this.framesOf('rebuttal').some((o) => o.first === last + 1);
  }

  /** 'не дура', 'not a slut', 'жезөкше емес': a negation right next to a one-word insult. */
  isNegated(occurrence: Occurrence): boolean {
    if (!isOneWord(occurrence)) return false;
    const { first, last } = occurrence;
    const before = this.framesOf('negationBefore').some(
      (o) => o.last < first && first - o.last <= NEGATION_REACH && this.sameClause(o.last, first),
    );
    const after = this.framesOf('negationAfter').some(
      (o) => o.first > last && o.first - last <= NEGATION_REACH && this.sameClause(o.first, last),
    );
    return before || after;
  }

  /**
   * Words like 'тупая' or 'ugly' only insult when a person is in the sentence (not 'тупая политика'), or
   * when another insult stands beside them in the clause ('st*pid c*w', 'ugly old witch'): stacked
   * insults are name-calling.
   */
  hasPerson(occurrence: Occurrence): boolean {
    for (const index of this.persons) {
      if ((index < occurrence.first || index > occurrence.last) && this.sameSentence(index, occurrence.first)) return true;
    }
    return this.occurrencesOf('rule').some(
      (o) =>
        o !== occurrence &&
        ((o.last < occurrence.first && occurrence.first - o.last <= STACKED_INSULT_REACH) ||
          (o.first > occurrence.last && o.first - occurrence.last <= STACKED_INSULT_REACH)) &&
        this.sameClause(o.first, occurrence.first),
    );
  }

  /**
   * Whether the post shows the words at `occurrence` are a homonym ('курица' with 'картошка'): the
   * author's own (for words with a literal sense), a homonym word anywhere in the post, or within the rule's `unlessWithin` words in the same sentence for words
   * whose homonym is the noun they describe ('страшная авария', not 'страшная как война').
   */
  isHomonym(occurrence: Occurrence, rule: Rule): boolean {
    // The author's own animal is the animal: 'наша корова опять ушла', 'our bitch had puppies'.
    if (rule.hasLiteralSense && this.afterFirstPerson.has(occurrence.first)) return true;
    const found = this.homonyms.get(rule) ?? [];
    const within = rule.unlessWithin;
    if (within === undefined) return found.length > 0;
    // In the same clause: 'Надандар, заңды оқып алыңдар' calls people ignorant and then names a law.
    return found.some(
      (o) =>
        this.sameClause(o.first, occurrence.first) &&
        Math.min(Math.abs(o.first - occurrence.last), Math.abs(occurrence.first - o.last)) <= within,
    );
  }

  /**
   * Whom the words at `index` are aimed at, from the text: the nearest pronoun or gendered noun of the
   * clause, else Russian agreement there, then the insult's own gender (шлюха, дегенерат: a word that
   * names its target's sex outweighs a pronoun of another clause, 'Муж её — дегенерат, вот она и
   * бесится'), then signals in the sentence, then the nearest anywhere in the post. Undefined when
   * nothing says.
   */
  targetOf(index: number, wordGender: Gender | undefined): Gender | undefined {
    const nearest = (keep: (s: GenderSignal) => boolean) => {
      let best: GenderSignal | undefined;
      for (const s of this.signals) {
        if (keep(s) && (!best || Math.abs(s.index - index) < Math.abs(best.index - index))) best = s;
      }
      return best?.gender;
    };
    return (
      nearest((s) => s.explicit && this.sameClause(s.index, index)) ??
      nearest((s) => !s.explicit && this.sameClause(s.index, index)) ??
      wordGender ??
      nearest((s) => s.explicit && this.sameSentence(s.index, index)) ??
      nearest((s) => !s.explicit && this.sameSentence(s.index, index)) ??
      nearest(() => true)
    );
  }

  span(first: number, last: number): string {
    return this.text.slice(this.tokens[first]!.start, this.tokens[last]!.end);
  }
}

/** A post with a common English word is read as English unless told otherwise or it has Kazakh Latin letters. */
function mayBeTransliterated(lexicon: Lexicon, text: string, tokens: Token[], lang: string | undefined): boolean {
  if (lang === 'en') return false;
  if (lang === 'ru' || lang === 'kk' || KAZAKH_LATIN.test(text)) return true;
  return !tokens.some((t) => lexicon.latinMarkers.has(t.raw.toLowerCase()));
}

/**
 * Joins spaced-out letters ('с у к а') into one word where the joined letters are an insult: the
 * longest such stretch of a run first, then the rest of the run on either side ('т у п а я к у р и ц а'
 * is two words).
 */
function joinSpacedLetters(
  lexicon: Lexicon,
  text: string,
  tokens: Token[],
  readings: Reading[][],
  hits: Set<number>[],
  transliteration: boolean,
): void {
  const join = (runFirst: number, runLast: number): void => {
    for (let length = runLast - runFirst + 1; length >= 3; length--) {
      for (let first = runFirst; first + length - 1 <= runLast; first++) {
        const last = first + length - 1;
        const raw = tokens.slice(first, last + 1).map((t) => t.raw).join('');
        const joined = readJoined(lexicon, raw, transliteration);
        if (![...joined.hits].some((p) => lexicon.insultPatterns.has(p))) continue;
        // Right side first: splicing the joined word in shifts the indexes after it.
        join(last + 1, runLast);
        spliceJoined(tokens, readings, hits, first, length, { ...tokens[first]!, end: tokens[last]!.end, raw, punctuationAfter: tokens[last]!.punctuationAfter }, joined);
        join(runFirst, first - 1);
        return;
      }
    }
  };
  for (const [runFirst, runLast] of lexicon.normaliser.spacedLetterRuns(tokens, text).reverse()) join(runFirst, runLast);
}

/**
 * Invisible characters and emoji inside a word (zero-width space or joiner, soft hyphen, variation
 * selector, 'шл\u200bюха', 'с🤡ука') split it into pieces no stem matches: they are dropped between letters.
 */
const IN_WORD_NOISE = /(?<=[\p{L}\p{M}])(?:[\u00AD\u200B-\u200D\u2060\uFE0F]|\p{Extended_Pictographic})+(?=\p{L})/gu;

/** One punctuation mark splitting a word without spaces ('шлю.ха', 'b-i-tch' is spaced letters). */
const WORD_SPLITTER = /^[.·•\-_|/']$/u;

/**
 * Joins two words split by one punctuation mark ('шлю.ха', 'сук-ка') where the joined word is an
 * insult that neither piece is: hyphenated compounds ('женщинах-травницах') join into nothing and stay.
 */
function joinSplitWords(
  lexicon: Lexicon,
  text: string,
  tokens: Token[],
  readings: Reading[][],
  hits: Set<number>[],
  transliteration: boolean,
): void {
  for (let i = 0; i + 1 < tokens.length; i++) {
    const a = tokens[i]!;
    const b = tokens[i + 1]!;
    if (!WORD_SPLITTER.test(text.slice(a.end, b.start))) continue;
    const raw = text.slice(a.start, a.end) + text.slice(b.start, b.end);
    const joined = readJoined(lexicon, raw, transliteration);
    if (![...joined.hits].some((p) => lexicon.insultPatterns.has(p) && !hits[i]!.has(p) && !hits[i + 1]!.has(p))) continue;
    spliceJoined(tokens, readings, hits, i, 2, { ...a, end: b.end, raw, punctuationAfter: b.punctuationAfter }, joined);
  }
}

/** The readings of words joined into one, and the patterns they hit. */
function readJoined(lexicon: Lexicon, raw: string, transliteration: boolean): { readings: Reading[]; hits: Set<number> } {
  const readings = lexicon.normaliser.readings(raw, transliteration);
  return { readings, hits: wordHits(lexicon, readings, transliteration) };
}

/** Puts a joined word in place of the `count` words from `first`, in the token, reading and hit lists alike. */
function spliceJoined(
  tokens: Token[],
  readings: Reading[][],
  hits: Set<number>[],
  first: number,
  count: number,
  token: Token,
  joined: { readings: Reading[]; hits: Set<number> },
): void {
  tokens.splice(first, count, token);
  readings.splice(first, count, joined.readings);
  hits.splice(first, count, joined.hits);
}

/** IIN: 12 digits, the first six a YYMMDD date, the seventh the century-and-sex digit 1–6. */
function isIin(digits: string): boolean {
  if (!/^\d{12}$/u.test(digits)) return false;
  const month = Number(digits.slice(2, 4));
  const day = Number(digits.slice(4, 6));
  const centuryAndSex = Number(digits[6]);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && centuryAndSex >= 1 && centuryAndSex <= 6;
}

function findRules(post: Post): Found[] {
  const found: Found[] = [];
  for (const occurrence of post.occurrencesOf('rule')) {
    const owner = occurrence.phrase.owner;
    if (owner.kind !== 'rule') continue;
    const { rule } = owner;
    if (post.isHomonym(occurrence, rule) || post.isMention(occurrence) || post.isNegated(occurrence)) continue;
    if (rule.ofPerson ? !post.isSaidOfPerson(occurrence) : rule.needsPerson && !post.hasPerson(occurrence)) continue;
    if (!post.meetsRequirement(rule)) continue;
    if (post.lexicon.teasing.categories.has(rule.category) && post.isAffectionate()) continue;
    found.push({
      category: rule.category,
      rule: rule.id,
      weight: rule.weight,
      first: occurrence.first,
      last: occurrence.last,
      span: post.span(occurrence.first, occurrence.last),
      target:
        rule.targetGender ??
        post.lexicon.categoryTargetGender.get(rule.category) ??
        post.targetOf(occurrence.first, rule.wordGender),
    });
  }
  return found;
}

/** Phone numbers, addresses and IINs, when the post ties them to a person or calls people to use them. */
function findDoxxing(post: Post): Found[] {
  const { lexicon, text, tokens } = post;
  // A call to phone a crisis centre or a hotline is help, not harassment: with a service named, only a
  // personal tie ('её номер') counts.
  const personal = post.occurrencesOf('doxxingPersonal').length > 0;
  const service = post.occurrencesOf('doxxingService').length > 0;
  const tied = personal || (post.occurrencesOf('doxxingCall').length > 0 && !service);
  if (!tied || tokens.length === 0) return [];
  const found: Found[] = [];
  for (const detector of lexicon.doxxing.detectors) {
    for (const match of text.matchAll(detector.regex)) {
      if (detector.check === 'iin' && !isIin(match[0])) continue;
      const at = Math.max(0, tokens.findIndex((t) => t.end > match.index));
      found.push({
        category: lexicon.doxxing.category,
        rule: `doxxing.${detector.id}`,
        weight: lexicon.doxxing.weight,
        first: at,
        last: at,
        span: match[0].trim(),
        target: post.targetOf(at, undefined),
      });
    }
  }
  return found;
}

export function createClassifier(lexicon: Lexicon): Classifier {
  return (original, lang) => {
    const text = original.replace(IN_WORD_NOISE, '');
    const { normaliser } = lexicon;
    const tokens = normaliser.tokenise(text);
    const transliteration = mayBeTransliterated(lexicon, text, tokens, lang);
    const readings = tokens.map((t) => normaliser.readings(t.raw, transliteration));
    const hits = readings.map((r) => wordHits(lexicon, r, transliteration));
    joinSpacedLetters(lexicon, text, tokens, readings, hits, transliteration);
    joinSplitWords(lexicon, text, tokens, readings, hits, transliteration);
    const post = new Post(lexicon, text, tokens, readings, findPhrases(lexicon, tokens, hits), transliteration, lang);

    // Overlapping evidence of one category is one finding ('Место бабы — на кухне' matches two phrases):
    // the heaviest, then widest, stands for it.
    const evidence: Found[] = [];
    const found = [...findRules(post), ...findDoxxing(post)].sort(
      (a, b) => b.weight - a.weight || b.last - b.first - (a.last - a.first) || a.first - b.first,
    );
    for (const f of found) {
      if (!evidence.some((e) => e.category === f.category && e.first <= f.last && f.first <= e.last)) evidence.push(f);
    }
    const weights = new Map<string, number>();
    for (const f of evidence) weights.set(f.rule, Math.max(weights.get(f.rule) ?? 0, f.weight));
    let clean = 1;
    for (const w of weights.values()) clean *= 1 - w;
    const score = Math.round((1 - clean) * 1000) / 1000;
    const abusive = score >= lexicon.threshold;
    const kept = abusive ? evidence.sort((a, b) => a.first - b.first) : [];
    const towardWomen = kept.some((f) => f.target === 'f' || (f.target === undefined && lexicon.unmarkedTargetIsWoman));
    return {
      abusive,
      towardWomen,
      categories: [...new Set(kept.map((f) => f.category))],
      score,
      evidence: kept.map((f) => ({ category: f.category, span: f.span, rule: f.rule })),
      classifierVersion: lexicon.version,
    };
  };
}

let defaultClassifier: Classifier | undefined;

/** Classifies one post with the package's lexicon (loaded on first use). `lang`: 'ru', 'kk', 'en' or other. */
export function classify(text: string, lang?: string): AbuseVerdict {
  defaultClassifier ??= createClassifier(loadLexicon());
  return defaultClassifier(text, lang);
}
