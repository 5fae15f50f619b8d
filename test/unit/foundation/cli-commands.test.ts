import { describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../../../cli/command.js';
import { COMMANDS } from '../../../cli/commands/index.js';

describe('the command list', () => {
  it('loads, for each entry, the command it names, with the summary `tagpulse --help` shows', async () => {
    for (const entry of COMMANDS) {
      const command = await entry.load();
      expect(command.path, entry.path.join(' ')).toEqual(entry.path);
      expect(command.summary, entry.path.join(' ')).toBe(entry.summary);
      expect(command.help, entry.path.join(' ')).toMatch(new RegExp(`^Usage: tagpulse ${entry.path.join(' ')}`));
      expect(parseCommandArgs(command, ['--help']).values.help).toBe(true);
    }
  });

  it('names every command once', () => {
    const paths = COMMANDS.map((entry) => entry.path.join(' '));
    expect(new Set(paths).size).toBe(paths.length);
  });
});
