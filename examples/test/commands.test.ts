// Every example is runnable by one command: a package.json script per file,
// and the built file runs on its own (its entry guard starts main()).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';

const DIR = fileURLToPath(new URL('..', import.meta.url));
const names = readdirSync(join(DIR, 'src'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3));

describe('example commands', () => {
  test('each example has a script that builds and runs it, and the README lists the command', () => {
    const { scripts } = JSON.parse(readFileSync(join(DIR, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const readme = readFileSync(join(DIR, 'README.md'), 'utf8');
    expect(names.length).toBeGreaterThanOrEqual(6);
    for (const name of names) {
      expect(scripts[name]).toBe(`tsc -b && node dist/${name}.js`);
      expect(readme).toContain(`npx -y pnpm@10.34.8 -F @pushwire/examples ${name}\``);
    }
  });

  test('a built example runs as its own process against the mock and exits 0', async () => {
    const file = join(DIR, 'dist', 'client-send.js');
    // CI builds first (tsc -b); a bare `jest` run builds here.
    if (!existsSync(file)) execFileSync('npx', ['tsc', '-b', DIR], { stdio: 'inherit' });
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(out).toMatch(/^sent: apns-id [0-9a-f-]{36}$/m);
    expect(out).toMatch(/rejected: 410 Unregistered/);
    expect(code).toBe(0);
  });
});
