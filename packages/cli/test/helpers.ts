/**
 * Test fixtures: the built `pushwire` binary run as a child process, and a
 * mock APNs server (in the test process) with its CA and key on disk.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MockApnsServer } from '@pushwire/mock-server';

export const TOPIC = 'com.example.app';
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const BIN = join(ROOT, 'packages/cli/dist/bin.js');

/** Builds the CLI when `dist/bin.js` is missing (CI runs `tsc -b` first). */
export function ensureBuilt(): void {
  if (!existsSync(BIN)) execFileSync('npx', ['tsc', '-b', 'packages/cli'], { cwd: ROOT, stdio: 'inherit' });
}

/** What a run of the binary produced. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCli}. */
export interface RunOptions {
  /** Extra environment variables (the PUSHWIRE_* ones of the test process are removed). */
  env?: Record<string, string>;
  /** Written to stdin, which is then closed; stdin is /dev/null otherwise. */
  input?: string | Buffer;
  timeout?: number;
}

/** A clean environment: no PUSHWIRE_* leaking in from the developer's shell. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PUSHWIRE_') && k !== 'NODE_OPTIONS') env[k] = v;
  return { ...env, ...extra };
}

/** Runs `node dist/bin.js ...args` and collects its output. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: cleanEnv(options.env),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    if (options.input !== undefined) child.stdin!.end(options.input);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeout ?? 25_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A mock server plus its CA and signing key written to files, as a user would have them. */
export interface MockFixture {
  mock: MockApnsServer;
  dir: string;
  caPath: string;
  keyPath: string;
  /** `--env <origin> --ca <file> --key-file ... --key-id ... --team-id ...` */
  flags: string[];
  close(): Promise<void>;
}

/** Starts a token-auth mock server and writes its CA and .p8 key to a temp dir. */
export async function startMock(options: { strictDevices?: boolean } = {}): Promise<MockFixture> {
  const mock = await MockApnsServer.start({ auth: 'token', ...options });
  const dir = await mkdtemp(join(tmpdir(), 'pushwire-cli-test-'));
  const caPath = join(dir, 'ca.pem');
  const keyPath = join(dir, 'AuthKey.p8');
  await writeFile(caPath, mock.ca);
  await writeFile(keyPath, mock.signingKey.key, { mode: 0o600 });
  const flags = ['--env', mock.origin, '--ca', caPath, '--key-file', keyPath, '--key-id', mock.signingKey.keyId, '--team-id', mock.signingKey.teamId];
  return {
    mock,
    dir,
    caPath,
    keyPath,
    flags,
    close: async () => {
      await mock.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `n` distinct well-formed 32-byte tokens, deterministic per `seed`. */
export function makeTokens(n: number, seed: string): string[] {
  const prefix = Buffer.from(seed).toString('hex').slice(0, 16).padEnd(16, '0');
  return Array.from({ length: n }, (_, i) => prefix + i.toString(16).padStart(48, '0'));
}
