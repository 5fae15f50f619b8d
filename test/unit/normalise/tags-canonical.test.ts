import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCommandArgs, UserFacingError, type CommandIo } from '../../../cli/command.js';
import { tagsCanonicalCommand } from '../../../cli/commands/tags-canonical.js';

function memoryIo(input: string): CommandIo & { output: () => string } {
  let output = '';
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      output += chunk.toString();
      done();
    },
  });
  return { stdin: Readable.from([input]), stdout, stderr: new Writable({ write: (_c, _e, done) => done() }), output: () => output };
}

async function run(argv: string[], input = ''): Promise<string> {
  const io = memoryIo(input);
  await tagsCanonicalCommand.run({ ...parseCommandArgs(tagsCanonicalCommand, argv), io });
  return io.output();
}

const dir = mkdtempSync(join(tmpdir(), 'tagpulse-tags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tagpulse tags canonical', () => {
  it('is called as `tags canonical`', () => {
    expect(tagsCanonicalCommand.path).toEqual(['tags', 'canonical']);
  });

  it('prints each tag from stdin with its key, skipping empty lines', async () => {
    expect(await run([], '#МенОяндым\n\n  \nmen_oyandym\r\n#seruenkz\n#metoo')).toBe(
      '#МенОяндым\tmenoiandim\nmen_oyandym\tmenoiandim\n#seruenkz\tseruenkz\n#metoo\tmetoo\n',
    );
  });

  it('reads positional files in order, "-" being stdin', async () => {
    const first = join(dir, 'first.txt');
    const second = join(dir, 'second.txt');
    writeFileSync(first, '#қазаққөктемі\n');
    writeFileSync(second, 'qazaq_koktemi\n');
    expect(await run([first, '-', second], '#kazakhkoktemi\n')).toBe(
      '#қазаққөктемі\tkazakkoktemi\n#kazakhkoktemi\tkazahkoktemi\nqazaq_koktemi\tkazakkoktemi\n',
    );
  });

  it('adds the families of the config with --families', async () => {
    const config = join(dir, 'tagpulse.config.json');
    writeFileSync(
      config,
      JSON.stringify({ families: { metoo: { aliases: ['#янебоюсьсказать'] }, spring: { aliases: ['#metoo'] }, seruen: {} } }),
    );
    expect(await run(['--families', '--config', config], '#ЯНеБоюсьСказать\n#MeToo\n#серуен\n#oyan\n')).toBe(
      '#ЯНеБоюсьСказать\tianeboiusskazat\tmetoo\n#MeToo\tmetoo\tmetoo,spring\n#серуен\tseruen\tseruen\n#oyan\toian\t\n',
    );
  });

  it('refuses a --config file that does not exist', async () => {
    await expect(run(['--families', '--config', join(dir, 'absent.json')], '#x\n')).rejects.toThrow(/does not exist/);
  });

  it('says which file it cannot read', async () => {
    await expect(run([join(dir, 'missing.txt')])).rejects.toThrow(UserFacingError);
    await expect(run([join(dir, 'missing.txt')])).rejects.toThrow(/cannot read .*missing\.txt/);
  });

  it('handles many lines', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `#seruen${i}`);
    const output = (await run([], lines.join('\n'))).trimEnd().split('\n');
    expect(output).toHaveLength(20_000);
    expect(output[19_999]).toBe('#seruen19999\tseruen19999');
  });
});
