import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClassifier } from '../../../processors/abuse/classify.js';
import { defaultLexiconDir, loadLexicon } from '../../../processors/abuse/lexicon.js';

const copies: string[] = [];
function copyOfLexicon(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tagpulse-lexicon-'));
  copies.push(dir);
  cpSync(defaultLexiconDir(), dir, { recursive: true });
  return dir;
}
afterAll(() => copies.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('lexicon', () => {
  it('has a version of the engine and the lexicon content', () => {
    expect(loadLexicon().version).toMatch(/^abuse-rules\/\d+\.\d+\.\d+\+[0-9a-f]{8}$/);
    expect(loadLexicon(copyOfLexicon()).version).toBe(loadLexicon().version);
  });

  it('a changed lexicon changes the version, and a new rule takes effect without code changes', () => {
    const dir = copyOfLexicon();
    const file = join(dir, 'en.json');
    const en = JSON.parse(readFileSync(file, 'utf8'));
    en.rules.push({ id: 'intellect.test_word', category: 'intellect', match: ['blorpish~'], weight: 0.9 });
    writeFileSync(file, JSON.stringify(en));
    const changed = loadLexicon(dir);
    expect(changed.version).not.toBe(loadLexicon().version);
    const verdict = createClassifier(changed)('she is so blorpish');
    expect(verdict).toMatchObject({ abusive: true, towardWomen: true, classifierVersion: changed.version });
    expect(verdict.evidence).toEqual([{ category: 'intellect', span: 'blorpish', rule: 'en.intellect.test_word' }]);
  });

  it('names the file and the problem when a lexicon file is wrong', () => {
    const dir = copyOfLexicon();
    const file = join(dir, 'ru.json');
    const ru = JSON.parse(readFileSync(file, 'utf8'));
    ru.rules.push({ id: 'bad.rule', category: 'no_such_category', match: ['слово'], weight: 0.5 });
    writeFileSync(file, JSON.stringify(ru));
    expect(() => loadLexicon(dir)).toThrow(/ru\.json: rule bad\.rule has unknown category "no_such_category"/);
    writeFileSync(file, '{ not json');
    expect(() => loadLexicon(dir)).toThrow(/ru\.json/);
  });
});

describe('normaliser', () => {
  const { normaliser } = loadLexicon();
  const skeleton = (word: string) => normaliser.readings(word, true).map((r) => r.skeleton);

  it('reads Kazakh Cyrillic, the 2021 Latin alphabet and informal Latin alike', () => {
    expect(skeleton('жезөкше')).toEqual(skeleton('jezökşe'));
    expect(skeleton('қаншық')).toEqual(skeleton('qanshyq'));
    expect(skeleton('ұят')).toEqual(skeleton('uiat'));
    expect(skeleton('шлюха')).toEqual(skeleton('shlyukha'));
  });

  it('marks quoted words, sentences and clauses', () => {
    const tokens = normaliser.tokenise('Мне писали «сама виновата». Ты, "дура"');
    expect(tokens.map((t) => [t.raw, t.quoted, t.sentence, t.clause])).toEqual([
      ['Мне', false, 0, 0],
      ['писали', false, 0, 0],
      ['сама', true, 0, 0],
      ['виновата', true, 0, 0],
      ['Ты', false, 1, 1],
      ['дура', true, 1, 2],
    ]);
  });
});
