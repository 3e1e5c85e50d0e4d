import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:http2';
import { createServer } from 'node:net';

/**
 * A free TCP port on 127.0.0.1 (asked of the kernel, then released). Another
 * process can take it before the server binds it; starters retry on
 * "Address already in use".
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/**
 * Resolves once a real HTTP/2 request (`GET /` over TLS, trusting `ca`) to
 * `origin` gets a response, whatever its status: the server is up and speaks
 * HTTP/2. Polls every 100 ms.
 * @throws when `child` exits first, or after `timeoutMs`.
 */
export async function waitForH2(origin: string, ca: string, child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited (${child.signalCode ?? `code ${child.exitCode}`}) before answering`);
    }
    const outcome = await probe(origin, ca, Math.min(2000, Math.max(100, deadline - Date.now())));
    if (outcome === true) return;
    if (Date.now() > deadline) throw new Error(`no HTTP/2 answer from ${origin} in ${timeoutMs} ms (last: ${outcome})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One `GET /`: true when a response arrived, else what went wrong. */
function probe(origin: string, ca: string, timeoutMs: number): Promise<true | string> {
  return new Promise((resolve) => {
    const session = connect(origin, { ca });
    const done = (outcome: true | string): void => {
      clearTimeout(timer);
      session.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done(`no response in ${timeoutMs} ms`), timeoutMs);
    session.on('error', (error: Error) => done(error.message));
    const request = session.request({ ':method': 'GET', ':path': '/' });
    request.on('response', () => done(true));
    request.on('error', (error: Error) => done(error.message));
    request.end();
  });
}

/**
 * Spawns a server in `dir`, hands what it prints to `keep`, and waits for
 * `ready`; a spawn error (a missing binary) ends the wait too. On failure
 * the child is stopped and the error thrown.
 */
export async function spawnUntilReady(
  command: { binary: string; args: readonly string[]; dir: string; stopSignal?: NodeJS.Signals },
  keep: (text: string, from: 'stdout' | 'stderr') => void,
  ready: (child: ChildProcess) => Promise<void>,
): Promise<ChildProcess> {
  const child = spawn(command.binary, command.args, { cwd: command.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => keep(chunk.toString(), 'stdout'));
  child.stderr!.on('data', (chunk: Buffer) => keep(chunk.toString(), 'stderr'));
  // `on`, not `once`: a later 'error' with no listener would throw.
  const spawnError = new Promise<Error>((resolve) => child.on('error', resolve));
  try {
    await Promise.race([ready(child), spawnError.then((error) => Promise.reject(error))]);
  } catch (error) {
    await stopChild(child, command.stopSignal, 2000);
    throw error;
  }
  return child;
}

/** Sends `signal` to a child and waits for it to exit (SIGKILL after `forceAfterMs`). */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', forceAfterMs = 5000): Promise<void> {
  // No pid: the spawn itself failed, there is nothing to stop (and no 'exit' to wait for).
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), forceAfterMs);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill(signal);
  });
}
