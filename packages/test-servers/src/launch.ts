/**
 * What starting any of the servers has in common: a temp work dir with fresh
 * certificates, a free port, the spawn, the readiness wait, stop and cleanup,
 * and the registry that {@link stopAll} and the exit hook walk.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCerts, type Certs } from './certs.js';
import { freePort, spawnUntilReady, stopChild, waitForH2 } from './process.js';
import type { TestServer } from './types.js';

/** Output kept per stream; older output is dropped (at a line boundary) past this. */
const MAX_OUTPUT = 8 * 2 ** 20;
/** Attempts when another process takes the free port before the server binds it. */
const PORT_ATTEMPTS = 3;
const READY_TIMEOUT = 15_000;

/** What a child printed so far (bounded). */
export interface Output {
  stdout: string;
  stderr: string;
}

/** How to run one kind of server. */
export interface LaunchSpec {
  readonly name: TestServer['name'];
  readonly binary: string;
  readonly version: string;
  /** Writes the config for `port` into `dir` and returns the arguments for `binary`. */
  setup(dir: string, certs: Certs, port: number): string[];
  /** The server's log (see {@link TestServer.log}). */
  log(dir: string, output: Output): string;
  /** What to show when the server fails: stderr, its error log. */
  diagnose(dir: string, output: Output): string;
  /** The graceful stop signal (nginx: SIGQUIT). */
  readonly stopSignal: NodeJS.Signals;
}

/**
 * A running server this module cleans up: its current process (a restarted
 * server has a new one), its work dir, and its graceful stop.
 */
export interface Tracked {
  process(): ChildProcess | undefined;
  readonly dir: string;
  stop(): Promise<void>;
}
const live = new Set<Tracked>();
let exitHookInstalled = false;

/**
 * Puts `entry` under {@link stopAll} and the exit hook (for servers started
 * outside {@link launch}, such as Redis); the returned function takes it off.
 */
export function track(entry: Tracked): () => void {
  installExitHook();
  live.add(entry);
  return () => void live.delete(entry);
}

/**
 * Best effort for a test process that ends without `stopAll()`: SIGTERM to
 * each server (nginx's master then stops its worker; a SIGKILLed master would
 * orphan it) and its work dir removed. Only synchronous work runs in an
 * 'exit' handler. A process killed by a signal emits no 'exit', so SIGTERM,
 * SIGINT and SIGHUP get the same cleanup, and are then re-raised to end the
 * process as before, unless someone else listens for them (they decide). A
 * SIGKILLed process leaves its servers running: nothing can run then.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const cleanup = (): void => {
    for (const entry of live) {
      const child = entry.process();
      if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      rmSync(entry.dir, { recursive: true, force: true });
    }
    live.clear();
  };
  process.on('exit', cleanup);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanup();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

/** Starts a server per `spec` and waits until it answers an HTTP/2 request. */
export async function launch(spec: LaunchSpec): Promise<TestServer> {
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), `pushwire-${spec.name}-`));
  try {
    const certs = makeCerts(dir);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const started = await tryStart(spec, dir, certs, port);
      if (!(started instanceof Error)) return started;
      const raced = /address already in use/i.test(started.message);
      if (!raced || attempt >= PORT_ATTEMPTS) throw started;
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** One attempt on `port`: the running server, or why it did not start (the child is gone then). */
async function tryStart(spec: LaunchSpec, dir: string, certs: Certs, port: number): Promise<TestServer | Error> {
  const args = spec.setup(dir, certs, port);
  const output: Output = { stdout: '', stderr: '' };
  const origin = `https://localhost:${port}`;
  let child: ChildProcess;
  try {
    child = await spawnUntilReady(
      { binary: spec.binary, args, dir, stopSignal: spec.stopSignal },
      (text, from) => (output[from] = bounded(output[from] + text)),
      (started) => waitForH2(origin, certs.ca, started, READY_TIMEOUT),
    );
  } catch (error) {
    const why = spec.diagnose(dir, output).trim();
    return new Error(`${spec.name} (${spec.binary} ${args.join(' ')}) did not start: ${(error as Error).message}${why ? `\n${why}` : ''}`);
  }

  let stopping: Promise<void> | undefined;
  let untrack = (): void => undefined;
  const server: TestServer = {
    name: spec.name,
    origin,
    port,
    ca: certs.ca,
    caFile: certs.caFile,
    version: spec.version,
    log: () => spec.log(dir, output),
    exited: () =>
      child.exitCode === null && child.signalCode === null
        ? undefined
        : `exited (${child.signalCode ?? child.exitCode}): ${tail(spec.diagnose(dir, output), 3)}`,
    stop: () =>
      (stopping ??= stopChild(child, spec.stopSignal).then(() => {
        untrack();
        rmSync(dir, { recursive: true, force: true });
      })),
  };
  untrack = track({ process: () => child, dir, stop: () => server.stop() });
  return server;
}

/** Stops every server started by this module (for `afterAll`). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((entry) => entry.stop()));
}

/** `text`, cut at a line boundary to its last MAX_OUTPUT characters. */
export function bounded(text: string): string {
  if (text.length <= MAX_OUTPUT) return text;
  const cut = text.indexOf('\n', text.length - MAX_OUTPUT);
  return text.slice(cut === -1 ? text.length - MAX_OUTPUT : cut + 1);
}

/** The last `n` non-empty lines, joined with ` | `. */
export function tail(text: string, n: number): string {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).slice(-n).join(' | ');
}
