import { createInterface } from 'node:readline';
import { classify } from '../../processors/abuse/classify.js';
import type { Command } from '../command.js';

export const classifyCommand: Command = {
  path: ['classify'],
  summary: 'Classify posts for abuse toward women (JSONL on stdin, JSONL on stdout)',
  help: `Usage: tagpulse classify < posts.jsonl > verdicts.jsonl

Reads one JSON object per line on standard input, each with a string "text" and optionally "lang"
(ru, kk, en...), and writes each line back with all its fields plus the abuse classifier's verdict:
  abusive       true or false
  toward_women  true when the abuse is aimed at women
  categories    sexual_slur, dehumanizing, threat, appearance, intellect, gender_role,
                victim_blaming, doxxing, self_harm
  score         0..1
  evidence      [{ category, span, rule }]: the words that decided, as written in the text
The method is described in docs/abuse-methodology.md.

A line that is not a JSON object with a string "text" is reported on standard error with its line
number and skipped; the command then exits 1 after the other lines are written. Empty lines are skipped.
`,
  async run({ io }) {
    const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
    let lineNumber = 0;
    let bad = 0;
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '') continue;
      const problem = (what: string) => {
        bad++;
        io.stderr.write(`tagpulse classify: line ${lineNumber}: ${what}\n`);
      };
      let post: unknown;
      try {
        post = JSON.parse(line);
      } catch (error) {
        problem(`not JSON (${(error as Error).message})`);
        continue;
      }
      if (typeof post !== 'object' || post === null || Array.isArray(post)) {
        problem('not a JSON object');
        continue;
      }
      const { text, lang } = post as { text?: unknown; lang?: unknown };
      if (typeof text !== 'string') {
        problem(text === undefined ? 'no "text" field' : `"text" is ${typeof text}, not a string`);
        continue;
      }
      const verdict = classify(text, typeof lang === 'string' ? lang : undefined);
      const out = {
        ...post,
        abusive: verdict.abusive,
        toward_women: verdict.towardWomen,
        categories: verdict.categories,
        score: verdict.score,
        evidence: verdict.evidence,
      };
      // Respect backpressure so a slow consumer does not make the whole output pile up in memory.
      if (!io.stdout.write(`${JSON.stringify(out)}\n`)) await new Promise((resolve) => io.stdout.once('drain', resolve));
    }
    return bad > 0 ? 1 : 0;
  },
};
