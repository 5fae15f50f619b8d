/**
 * Evaluation of the classifier against a labelled dataset (shared/datasets/abuse-dev.jsonl format):
 * precision, recall and F1 for `abusive` and `toward_women`, by language and by category, and the rate
 * of testimony, counter-speech and news posts wrongly flagged abusive.
 */
import { z } from 'zod';
import type { Classifier } from './classify.js';

export const LabelledPost = z.object({
  id: z.string().optional(),
  lang: z.string().optional(),
  text: z.string(),
  abusive: z.boolean(),
  toward_women: z.boolean(),
  categories: z.array(z.string()),
  kind: z.string().optional(),
});
export type LabelledPost = z.infer<typeof LabelledPost>;

/** The issue's "done when": F1 for toward_women, and the share of quoting posts flagged abusive. */
export const TARGETS = { towardWomenF1: 0.9, maxQuotingFalsePositiveRate: 0.05 } as const;

/** Kinds of post that use abusive words without being abuse. */
export const QUOTING_KINDS = ['testimony', 'counter_speech', 'news'] as const;

export interface Scores {
  posts: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface CategoryScores {
  labelled: number;
  found: number;
  /** Share of posts labelled with the category that the classifier gave it. */
  recall: number;
  predicted: number;
  /** Share of posts given the category that are labelled with it (NaN when never predicted). */
  precision: number;
}

export interface Evaluation {
  abusive: Scores;
  towardWomen: Scores;
  byLanguage: Record<string, { abusive: Scores; towardWomen: Scores }>;
  byCategory: Record<string, CategoryScores>;
  quotingFalsePositives: { posts: number; flagged: string[]; rate: number };
  mistakes: Array<{ id: string; text: string; expected: string; got: string }>;
}

/** Parses JSONL, naming the line of the first malformed row. */
export function parseDataset(jsonl: string): LabelledPost[] {
  const rows: LabelledPost[] = [];
  jsonl.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch (error) {
      throw new Error(`line ${index + 1}: not JSON (${(error as Error).message})`);
    }
    const parsed = LabelledPost.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`line ${index + 1}: ${issue.path.join('.')}: ${issue.message}`);
    }
    rows.push(parsed.data);
  });
  return rows;
}

class Counter {
  tp = 0;
  fp = 0;
  fn = 0;
  posts = 0;

  add(expected: boolean, got: boolean): void {
    this.posts++;
    if (expected && got) this.tp++;
    else if (got) this.fp++;
    else if (expected) this.fn++;
  }

  scores(): Scores {
    const precision = this.tp + this.fp === 0 ? 1 : this.tp / (this.tp + this.fp);
    const recall = this.tp + this.fn === 0 ? 1 : this.tp / (this.tp + this.fn);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { posts: this.posts, truePositives: this.tp, falsePositives: this.fp, falseNegatives: this.fn, precision, recall, f1 };
  }
}

export function evaluate(posts: LabelledPost[], classifier: Classifier): Evaluation {
  const abusive = new Counter();
  const towardWomen = new Counter();
  const byLanguage = new Map<string, { abusive: Counter; towardWomen: Counter }>();
  const categories = new Map<string, { labelled: number; found: number; predicted: number; correct: number }>();
  const category = (id: string) => {
    let c = categories.get(id);
    if (!c) categories.set(id, (c = { labelled: 0, found: 0, predicted: 0, correct: 0 }));
    return c;
  };
  const quoting = { posts: 0, flagged: [] as string[] };
  const mistakes: Evaluation['mistakes'] = [];

  posts.forEach((post, index) => {
    const id = post.id ?? `#${index + 1}`;
    const verdict = classifier(post.text, post.lang);
    const lang = post.lang ?? 'unknown';
    let perLanguage = byLanguage.get(lang);
    if (!perLanguage) byLanguage.set(lang, (perLanguage = { abusive: new Counter(), towardWomen: new Counter() }));
    for (const counter of [abusive, perLanguage.abusive]) counter.add(post.abusive, verdict.abusive);
    for (const counter of [towardWomen, perLanguage.towardWomen]) counter.add(post.toward_women, verdict.towardWomen);
    for (const c of post.categories) {
      category(c).labelled++;
      if (verdict.categories.includes(c)) category(c).found++;
    }
    for (const c of verdict.categories) {
      category(c).predicted++;
      if (post.categories.includes(c)) category(c).correct++;
    }
    if ((QUOTING_KINDS as readonly string[]).includes(post.kind ?? '')) {
      quoting.posts++;
      if (verdict.abusive) quoting.flagged.push(id);
    }
    if (post.abusive !== verdict.abusive || post.toward_women !== verdict.towardWomen) {
      const describe = (a: boolean, w: boolean) => (a ? (w ? 'abusive toward women' : 'abusive, not toward women') : 'not abusive');
      mistakes.push({
        id,
        text: post.text,
        expected: describe(post.abusive, post.toward_women),
        got: `${describe(verdict.abusive, verdict.towardWomen)} ${JSON.stringify(verdict.evidence.map((e) => `${e.rule}: ${e.span}`))}`,
      });
    }
  });

  return {
    abusive: abusive.scores(),
    towardWomen: towardWomen.scores(),
    byLanguage: Object.fromEntries(
      [...byLanguage].map(([lang, c]) => [lang, { abusive: c.abusive.scores(), towardWomen: c.towardWomen.scores() }]),
    ),
    byCategory: Object.fromEntries(
      [...categories].sort(([a], [b]) => a.localeCompare(b)).map(([id, c]) => [
        id,
        {
          labelled: c.labelled,
          found: c.found,
          recall: c.labelled === 0 ? Number.NaN : c.found / c.labelled,
          predicted: c.predicted,
          precision: c.predicted === 0 ? Number.NaN : c.correct / c.predicted,
        },
      ]),
    ),
    quotingFalsePositives: {
      posts: quoting.posts,
      flagged: quoting.flagged,
      rate: quoting.posts === 0 ? 0 : quoting.flagged.length / quoting.posts,
    },
    mistakes,
  };
}

/** The targets an evaluation misses, each as a sentence; empty when all are met. */
export function missedTargets(evaluation: Evaluation): string[] {
  const missed: string[] = [];
  if (evaluation.towardWomen.f1 < TARGETS.towardWomenF1) {
    missed.push(`toward_women F1 ${evaluation.towardWomen.f1.toFixed(3)} is below ${TARGETS.towardWomenF1}`);
  }
  if (evaluation.quotingFalsePositives.rate > TARGETS.maxQuotingFalsePositiveRate) {
    missed.push(
      `${(evaluation.quotingFalsePositives.rate * 100).toFixed(1)}% of testimony, counter-speech and news posts are flagged abusive (at most ${TARGETS.maxQuotingFalsePositiveRate * 100}%)`,
    );
  }
  return missed;
}

const pct = (x: number) => (Number.isNaN(x) ? '   –  ' : `${(x * 100).toFixed(1).padStart(5)}%`);
const row = (name: string, s: Scores) =>
  `${name.padEnd(22)} P ${pct(s.precision)}  R ${pct(s.recall)}  F1 ${pct(s.f1)}  (n=${s.posts}, tp=${s.truePositives}, fp=${s.falsePositives}, fn=${s.falseNegatives})`;

export function formatEvaluation(evaluation: Evaluation): string {
  const lines = [row('abusive', evaluation.abusive), row('toward_women', evaluation.towardWomen), '', 'By language:'];
  for (const [lang, s] of Object.entries(evaluation.byLanguage)) {
    lines.push(row(`  ${lang} abusive`, s.abusive), row(`  ${lang} toward_women`, s.towardWomen));
  }
  lines.push('', 'By category (recall of labelled, precision where predicted):');
  for (const [id, c] of Object.entries(evaluation.byCategory)) {
    lines.push(
      `  ${id.padEnd(20)} recall ${pct(c.recall)} (${c.found}/${c.labelled})  precision ${pct(c.precision)} (predicted ${c.predicted})`,
    );
  }
  const q = evaluation.quotingFalsePositives;
  lines.push(
    '',
    `Testimony, counter-speech and news flagged abusive: ${q.flagged.length}/${q.posts} (${pct(q.rate).trim()})${q.flagged.length > 0 ? `: ${q.flagged.join(', ')}` : ''}`,
  );
  if (evaluation.mistakes.length > 0) {
    lines.push('', 'Mistakes:');
    for (const m of evaluation.mistakes) lines.push(`  ${m.id}: expected ${m.expected}, got ${m.got}\n      ${m.text}`);
  }
  return `${lines.join('\n')}\n`;
}
