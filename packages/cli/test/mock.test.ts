import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { chownSync, existsSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, TOPIC, cleanEnv, ensureBuilt, makeTokens, runCli, startMock, type MockFixture } from './helpers.js';

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

describe('send --env mock: the state file is trusted only when private to the user', () => {
  let fx: MockFixture;
  let dir: string;
  beforeAll(async () => {
    ensureBuilt();
    // Stands for "another server": a planted state file would send here and trust its CA.
    fx = await startMock();
    dir = await mkdtemp(join(tmpdir(), 'pushwire-mock-state-'));
  });
  afterAll(async () => {
    await fx.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes a state file naming the fixture's server, with a live pid (this test process). */
  async function plant(path: string, mode = 0o600): Promise<void> {
    const state = { origin: fx.mock.origin, caPath: fx.caPath, keyId: fx.mock.signingKey.keyId, teamId: fx.mock.signingKey.teamId, keyPath: fx.keyPath, pid: process.pid };
    await writeFile(path, JSON.stringify(state));
    await chmod(path, mode);
  }

  /** A fresh directory (under the 0700 test dir) with exactly `mode`. */
  async function subdir(name: string, mode: number): Promise<string> {
    const path = join(dir, name);
    await mkdir(path);
    await chmod(path, mode);
    return path;
  }

  /** Runs `send --env mock` and expects a refusal naming `why`, with nothing sent to the planted server. */
  async function expectRefused(env: Record<string, string>, why: RegExp): Promise<void> {
    const before = fx.mock.stats();
    const [token] = makeTokens(1, 'planted');
    const r = await runCli(['send', '--env', 'mock', '--token', token!, '--topic', TOPIC, '--alert', 'x'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(why);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fx.mock.stats().connections).toBe(before.connections);
    expect(fx.mock.accepted(token!)).toHaveLength(0);
  }

  test('a file planted in a world-writable default directory ($XDG_RUNTIME_DIR/pushwire, 0777) is refused', async () => {
    const runtime = await subdir('runtime', 0o700);
    const shared = join(runtime, 'pushwire');
    await mkdir(shared);
    await chmod(shared, 0o777);
    await plant(join(shared, 'mock.json'));
    await expectRefused({ XDG_RUNTIME_DIR: runtime }, /^error: --env mock: refusing the mock state: .*pushwire is writable by other users \(mode 0777\)/);
  });

  test('PUSHWIRE_MOCK_STATE gets the same checks: a world-writable directory, a 0666 file', async () => {
    const open = await subdir('open', 0o777);
    await plant(join(open, 'state.json'));
    await expectRefused({ PUSHWIRE_MOCK_STATE: join(open, 'state.json') }, /refusing the mock state: .*open is writable by other users \(mode 0777\)/);
    const own = await subdir('own-0666', 0o700);
    await plant(join(own, 'state.json'), 0o666);
    await expectRefused({ PUSHWIRE_MOCK_STATE: join(own, 'state.json') }, /refusing the mock state: .*state\.json is writable by other users \(mode 0666\)/);
  });

  // Giving a file away needs root: the project's machines and CI run the tests as root.
  test('a state file owned by another user is refused', async () => {
    const own = await subdir('foreign', 0o700);
    const path = join(own, 'state.json');
    await plant(path);
    chownSync(path, 65534, 65534);
    await expectRefused({ PUSHWIRE_MOCK_STATE: path }, /refusing the mock state: .*state\.json is owned by uid 65534, not by you \(uid 0\)/);
  });

  test('a private state file (0600 in a 0700 directory) is used', async () => {
    const runtime = await subdir('good-runtime', 0o700);
    await mkdir(join(runtime, 'pushwire'), { mode: 0o700 });
    await plant(join(runtime, 'pushwire', 'mock.json'));
    const [token] = makeTokens(1, 'private-state');
    const r = await runCli(['send', '--env', 'mock', '--token', token!, '--topic', TOPIC, '--alert', 'x'], { env: { XDG_RUNTIME_DIR: runtime } });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(fx.mock.accepted(token!)).toHaveLength(1);
  });

  test('`pushwire mock` publishes in $XDG_RUNTIME_DIR/pushwire, created 0700 with a 0600 file, and refuses a world-writable one', async () => {
    const runtime = await subdir('mock-runtime', 0o700);
    const env = { XDG_RUNTIME_DIR: runtime };
    const child = spawn(process.execPath, [BIN, 'mock'], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      let stdout = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          stdout += d;
          if (stdout.includes('Press Ctrl-C')) resolve();
        });
        void exited.then(() => reject(new Error('mock exited early')));
      });
      const state = join(runtime, 'pushwire', 'mock.json');
      expect(stdout).toContain(`  state     ${state}\n`);
      expect(statSync(join(runtime, 'pushwire')).mode & 0o777).toBe(0o700);
      expect(statSync(state).mode & 0o777).toBe(0o600);
      const [token] = makeTokens(1, 'xdg-mock');
      const sent = await runCli(['send', '--env', 'mock', '--token', token!, '--topic', TOPIC, '--alert', 'x'], { env });
      expect([sent.code, sent.stderr]).toEqual([0, '']);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }

    await chmod(join(runtime, 'pushwire'), 0o777);
    const refused = await runCli(['mock'], { env, timeout: 10_000 });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error: pushwire mock: refusing the mock state: .*pushwire is writable by other users \(mode 0777\)/m);
  });
});
