// `--help` on every command, found from the root help rather than a fixed
// list, so a command added later (and its subcommands) is held to it too.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { ensureBuilt, runCli } from './helpers.js';

/** Command names listed under "Commands:" in a help text (without `help`). */
function commandsOf(help: string): string[] {
  const start = help.indexOf('\nCommands:\n');
  if (start < 0) return [];
  const section = help.slice(start + '\nCommands:\n'.length).split('\n\n')[0]!;
  return section
    .split('\n')
    .map((line) => /^ {2}([a-z][a-z-]*)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined && name !== 'help');
}

describe('--help', () => {
  beforeAll(() => ensureBuilt());

  test('every command (and subcommand) has help with examples and the exit codes, on stdout with exit 0', async () => {
    const root = await runCli(['--help']);
    const pending = commandsOf(root.stdout).map((name) => [name]);
    expect(pending.map(([name]) => name)).toEqual(expect.arrayContaining(['send', 'bulk', 'mock', 'demo']));
    const seen: string[] = [];
    while (pending.length > 0) {
      const path = pending.shift()!;
      const r = await runCli([...path, '--help']);
      expect({ path, code: r.code, stderr: r.stderr }).toEqual({ path, code: 0, stderr: '' });
      expect(r.stdout).toMatch(new RegExp(`^Usage: pushwire ${path.join(' ')} `));
      expect(r.stdout).toContain('Examples:');
      expect(r.stdout).toMatch(new RegExp(`\\$ pushwire ${path.join(' ')}\\b`));
      expect(r.stdout).toContain('Exit codes:');
      seen.push(path.join(' '));
      for (const sub of commandsOf(r.stdout)) pending.push([...path, sub]);
    }
    expect(seen.length).toBeGreaterThanOrEqual(4);
  });
});
