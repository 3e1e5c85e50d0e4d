import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunResult, RunSpec } from './types.js';

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));

export interface SpawnOptions {
  readonly timeoutMs: number;
  /** The Node binary to run the child on; this process's by default. */
  readonly execPath?: string;
  /** When set, the child runs under `--cpu-prof` and writes its profile here. */
  readonly profileDir?: string;
  readonly profileName?: string;
}

/**
 * Runs one client in a fresh child process and returns what it measured. A crash or a
 * timeout comes back as a run where every notification failed, with `error` set.
 */
export function runChild(spec: RunSpec, options: SpawnOptions): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // apns2 has no `ca` option; the others get the CA through their own `ca` options.
  if (spec.client.startsWith('apns2')) env['NODE_EXTRA_CA_CERTS'] = spec.target.caFile;
  const execArgv = options.profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=${options.profileName ?? `${spec.client}.cpuprofile`}`]
    : [];
  const child = fork(CHILD, [], { env, execArgv, stdio: ['ignore', 'inherit', 'pipe', 'ipc'], ...(options.execPath ? { execPath: options.execPath } : {}) });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });

  return new Promise((resolve) => {
    let result: RunResult | undefined;
    const failedRun = (error: string): RunResult => ({
      client: spec.client,
      target: spec.target.name,
      n: spec.n,
      ok: 0,
      failed: spec.n,
      failures: { [error]: spec.n },
      elapsedMs: NaN,
      cpuUs: NaN,
      peakRss: NaN,
      baseRss: NaN,
      error,
    });
    const timer = setTimeout(() => {
      result ??= failedRun(`timed out after ${options.timeoutMs / 1000} s (killed)`);
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('message', (message: RunResult) => {
      result ??= message;
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      resolve(result ?? failedRun(`child exited (${signal ?? code})${tail ? `: ${tail}` : ''}`));
    });
    child.send(spec);
  });
}
