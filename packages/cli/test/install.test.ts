// The `pushwire` bin as a package manager installs it: package.json's `bin`
// names the built file, the file starts with a node shebang, and it runs
// through a node_modules/.bin symlink (nothing depends on argv[1] being the
// real path).
import { spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { BIN, ensureBuilt } from './helpers.js';

const PACKAGE = join(dirname(BIN), '..');

function run(file: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('installed bin', () => {
  let dir: string;
  beforeAll(async () => {
    ensureBuilt();
    dir = await mkdtemp(join(tmpdir(), 'pushwire-bin-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('package.json maps `pushwire` to the built entry, which has a node shebang and ships in `files`', async () => {
    const pkg = JSON.parse(await readFile(join(PACKAGE, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
    expect(pkg.bin).toEqual({ pushwire: './dist/bin.js' });
    expect(join(PACKAGE, pkg.bin['pushwire']!)).toBe(BIN);
    expect(pkg.files).toContain('dist');
    expect((await readFile(BIN, 'utf8')).split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  test('runs as an executable through a node_modules/.bin symlink: --version and --help', async () => {
    // An executable copy beside the real dist (so its imports resolve), as
    // an install marks the bin executable; then the .bin symlink to it.
    const exe = join(dirname(BIN), `bin-install-test-${process.pid}.js`);
    await copyFile(BIN, exe);
    try {
      await chmod(exe, 0o755);
      const link = join(dir, 'node_modules', '.bin', 'pushwire');
      await mkdir(dirname(link), { recursive: true });
      await symlink(exe, link);
      const pkg = JSON.parse(await readFile(join(PACKAGE, 'package.json'), 'utf8')) as { version: string };
      const version = await run(link, ['--version']);
      expect(version).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
      const help = await run(link, ['--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: pushwire /);
    } finally {
      await rm(exe, { force: true });
    }
  });
});
