import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, TOPIC, cleanEnv, ensureBuilt, makeTokens, runCli } from './helpers.js';

describe('pushwire mock', () => {
  test('prints origin, CA path and key ids; `send --env mock` reaches it; SIGTERM stops it cleanly', async () => {
    ensureBuilt();
    const dir = await mkdtemp(join(tmpdir(), 'pushwire-mock-test-'));
    const env = { PUSHWIRE_MOCK_STATE: join(dir, 'state.json') };
    const child = spawn(process.execPath, [BIN, 'mock'], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          stdout += d;
          if (stdout.includes('Press Ctrl-C')) resolve();
        });
        void exited.then(() => reject(new Error(`mock exited early: ${stderr}`)));
      });
      const origin = /^ {2}origin {4}(https:\/\/\S+)$/m.exec(stdout)?.[1];
      const caPath = /^ {2}CA {8}(\S+)$/m.exec(stdout)?.[1];
      const keyPath = /^ {2}key file {2}(\S+)$/m.exec(stdout)?.[1];
      expect(origin).toMatch(/^https:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+$/);
      expect(await readFile(caPath!, 'utf8')).toContain('BEGIN CERTIFICATE');
      expect(stdout).toMatch(/^ {2}key id {4}\S+$/m);
      expect(stdout).toMatch(/^ {2}team id {3}\S+$/m);
      // The key is in a file; its content is never printed.
      const key = await readFile(keyPath!, 'utf8');
      expect(key).toContain('PRIVATE KEY');
      expect(stdout).not.toContain('PRIVATE KEY');

      const [token] = makeTokens(1, 'mock-cmd');
      const sent = await runCli(['send', '--env', 'mock', '--token', token!, '--topic', TOPIC, '--alert', 'hello mock'], { env });
      expect(sent.stderr).toBe('');
      expect(sent.code).toBe(0);
      expect(sent.stdout).toMatch(/^[0-9a-f-]{36}\n$/);

      child.kill('SIGTERM');
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(stdout).toContain('mock server stopped');
      expect(existsSync(caPath!)).toBe(false);
      expect(existsSync(env.PUSHWIRE_MOCK_STATE)).toBe(false);
      // Once stopped, `--env mock` is bad input, not a hang.
      const after = await runCli(['send', '--env', 'mock', '--token', token!, '--topic', TOPIC, '--alert', 'x'], { env });
      expect(after.code).toBe(2);
      expect(after.stderr).toMatch(/^error: --env mock: no running mock server found/);
    } finally {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('--faults: the faults are injected; an unreadable or invalid faults file is bad input', async () => {
    ensureBuilt();
    const dir = await mkdtemp(join(tmpdir(), 'pushwire-mock-faults-'));
    const env = { PUSHWIRE_MOCK_STATE: join(dir, 'state.json') };
    const [token] = makeTokens(1, 'mock-faults');
    const faults = join(dir, 'faults.json');
    await writeFile(faults, JSON.stringify([{ kind: 'status', status: 403, reason: 'Forbidden', token }]));
    const child = spawn(process.execPath, [BIN, 'mock', '--faults', faults], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      let stdout = '';
      await new Promise<void>((resolve) =>
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          stdout += d;
          if (stdout.includes('Press Ctrl-C')) resolve();
        }),
      );
      expect(stdout).toContain(`  faults    1 from ${faults}`);
      const r = await runCli(['send', '--env', 'mock', '--token', token!, '--topic', TOPIC, '--alert', 'x'], { env });
      expect(r.code).toBe(3);
      expect(r.stderr).toBe('rejected: 403 Forbidden\n');
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }

    const missing = await runCli(['mock', '--faults', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`error: cannot read --faults '${join(dir, 'nope.json')}': no such file\n`);
    await writeFile(faults, JSON.stringify([{ kind: 'earthquake' }]));
    const invalid = await runCli(['mock', '--faults', faults]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/^error: --faults '.*faults\.json': .+\n$/);
    expect(invalid.stderr.trim().split('\n')).toHaveLength(1);
    await rm(dir, { recursive: true, force: true });
  });
});
