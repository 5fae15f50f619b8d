import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { classifyCommand } from '../../../cli/commands/classify.js';

async function runClassify(input: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  const code = await classifyCommand.run({ values: {}, positionals: [], io: { stdin: Readable.from([input]), stdout, stderr } });
  return { code, out, err };
}

describe('tagpulse classify', () => {
  it('writes every line back with its fields and the verdict in snake_case', async () => {
    const { code, out, err } = await runClassify(
      [
        JSON.stringify({ id: 'a', lang: 'ru', text: 'Ты тупая шлюха', extra: { kept: true } }),
        '',
        JSON.stringify({ id: 'b', text: 'Сегодня серуен в 12:00' }),
      ].join('\n'),
    );
    expect(code).toBe(0);
    expect(err).toBe('');
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      id: 'a',
      lang: 'ru',
      extra: { kept: true },
      abusive: true,
      toward_women: true,
      categories: ['intellect', 'sexual_slur'],
    });
    expect(lines[0].evidence).toEqual([
      { category: 'intellect', span: 'тупая', rule: 'ru.intellect.tupaya' },
      { category: 'sexual_slur', span: 'шлюха', rule: 'ru.sexual_slur.shlyukha' },
    ]);
    expect(lines[0].score).toBeGreaterThan(0.5);
    expect(lines[1]).toEqual({ id: 'b', text: 'Сегодня серуен в 12:00', abusive: false, toward_women: false, categories: [], score: 0, evidence: [] });
  });

  it('reports bad lines on stderr by number, goes on with the rest, and exits 1', async () => {
    const { code, out, err } = await runClassify(
      ['{"text": "сука, заткнись"}', 'not json', '{"id": 3}', '{"text": 42}', '[1]', '{"text": "ok"}'].join('\n'),
    );
    expect(code).toBe(1);
    expect(out.trim().split('\n')).toHaveLength(2);
    expect(err.trim().split('\n')).toEqual([
      expect.stringMatching(/^tagpulse classify: line 2: not JSON/),
      'tagpulse classify: line 3: no "text" field',
      'tagpulse classify: line 4: "text" is number, not a string',
      'tagpulse classify: line 5: not a JSON object',
    ]);
  });
});
