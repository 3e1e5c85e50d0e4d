/**
 * Redis for tests: Debian's `redis-server` (7.0), installed when missing,
 * with its own config and data dir in a temp dir, on a free loopback port.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureInstalled } from './install.js';
import { bounded, tail, track } from './launch.js';
import { freePort, spawnUntilReady, stopChild } from './process.js';

/** How to run Redis. */
export interface RedisOptions {
  /**
   * `appendonly yes`: every write goes to an append-only file in the work
   * dir, so {@link RedisServer.restart} keeps the data (a graceful stop
   * fsyncs it). Off, the server keeps nothing on disk (`save ""` too), and a
   * restart starts empty.
   * @default false
   */
  appendOnly?: boolean;
  /** `appendfsync` with `appendOnly`. @default 'everysec' */
  appendFsync?: 'always' | 'everysec' | 'no';
}

/** A Redis server this package started, until `stop()`. */
export interface RedisServer {
  readonly name: 'redis';
  /** `redis://127.0.0.1:<port>`; the server listens on 127.0.0.1 only. */
  readonly url: string;
  readonly host: '127.0.0.1';
  readonly port: number;
  /** e.g. `7.0.15`. */
  readonly version: string;
  /** The work dir: `redis.conf` and, with `appendOnly`, the append-only files; removed by `stop()`. */
  readonly dir: string;
  /** Whether writes survive {@link RedisServer.restart} (the `appendOnly` option). */
  readonly appendOnly: boolean;
  /** What the server logged so far (its log goes to stdout). */
  log(): string;
  /** `undefined` while the server runs (or is stopped by `restart`); how it ended otherwise. */
  exited(): string | undefined;
  /**
   * Stops the server gracefully (SIGTERM: it writes its append-only file and
   * exits), awaits `whileDown()` if given (e.g. "until the clients noticed"),
   * then starts it again on the same port with the same config and data dir,
   * and resolves once it answers PING.
   * @throws when it does not come back (its log in the message).
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  /** Stops the server (SIGTERM, SIGKILL after 5 s) and removes its work dir. Idempotent. */
  stop(): Promise<void>;
}

const READY_TIMEOUT = 15_000;
const PORT_ATTEMPTS = 3;

/** The config for `port` in `dir`: loopback only, no snapshots, AOF as asked. */
function config(dir: string, port: number, options: Required<RedisOptions>): string {
  return `# Made by @pushwire/test-servers; removed when the server stops.
bind 127.0.0.1
port ${port}
protected-mode yes
daemonize no
dir ${dir}
logfile ""
loglevel notice
save ""
appendonly ${options.appendOnly ? 'yes' : 'no'}
appendfsync ${options.appendFsync}
databases 16
`;
}

/** `Redis server v=7.0.15 sha=…` → `7.0.15`. */
function redisVersion(binary: string): string {
  const out = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  const text = `${out.stdout}${out.stderr}`.trim();
  return /v=(\S+)/.exec(text)?.[1] ?? text;
}

/** One PING over RESP: `+PONG` when the server is ready, else what it said or why it failed. */
function ping(port: number, timeoutMs: number): Promise<true | string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    const done = (outcome: true | string): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done(`no answer in ${timeoutMs} ms`), timeoutMs);
    socket.on('error', (error) => done(error.message));
    socket.on('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (!answer.includes('\r\n')) return;
      // -LOADING while the append-only file is read back.
      done(answer.startsWith('+PONG') ? true : answer.trim());
    });
  });
}

/** Resolves once the server on `port` answers PING; throws when `child` exits first or after the timeout. */
async function waitForPing(port: number, child: ChildProcess, timeoutMs = READY_TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server exited (${child.signalCode ?? `code ${child.exitCode}`}) before answering PING`);
    }
    const outcome = await ping(port, Math.min(2000, Math.max(100, deadline - Date.now())));
    if (outcome === true) return;
    if (Date.now() > deadline) throw new Error(`no PONG from 127.0.0.1:${port} in ${timeoutMs} ms (last: ${outcome})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts `redis-server` (Debian `redis-server`, 7.0 on bookworm; installed
 * with `scripts/install-debian.sh` when missing) on a free 127.0.0.1 port
 * with its own config and data dir in a temp dir, and resolves once it
 * answers PING. Nothing is persisted unless `appendOnly` is set.
 *
 * @example
 * ```ts
 * const redis = await startRedis({ appendOnly: true });
 * const client = new IORedis(redis.url);
 * await redis.restart();   // data kept
 * afterAll(stopAll);       // or redis.stop()
 * ```
 * @throws when redis-server cannot be installed or does not start (its log in the message).
 */
export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const resolved: Required<RedisOptions> = { appendOnly: options.appendOnly ?? false, appendFsync: options.appendFsync ?? 'everysec' };
  if (!['always', 'everysec', 'no'].includes(resolved.appendFsync)) {
    throw new RangeError(`appendFsync must be 'always', 'everysec' or 'no', got ${String(resolved.appendFsync)}`);
  }
  const binary = await ensureInstalled('redis-server', ['redis-server']);
  const version = redisVersion(binary);
  const dir = mkdtempSync(join(tmpdir(), 'pushwire-redis-'));
  const configFile = join(dir, 'redis.conf');
  let output = '';
  let child: ChildProcess | undefined;

  const keep = (text: string): void => void (output = bounded(output + text));
  const spawnServer = async (port: number): Promise<void> => {
    try {
      child = await spawnUntilReady({ binary, args: [configFile], dir }, keep, (started) => waitForPing(port, started));
    } catch (error) {
      throw new Error(`redis-server (${binary} ${configFile}) did not start: ${(error as Error).message}\n${tail(output, 10)}`, { cause: error });
    }
  };

  let port = 0;
  try {
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      writeFileSync(configFile, config(dir, port, resolved));
      try {
        await spawnServer(port);
        break;
      } catch (error) {
        // Another process took the port between freePort() and the bind: try another.
        if (!/address already in use/i.test((error as Error).message) || attempt >= PORT_ATTEMPTS) throw error;
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  let stopping: Promise<void> | undefined;
  let restarting = false;
  const server: RedisServer = {
    name: 'redis',
    url: `redis://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    version,
    dir,
    appendOnly: resolved.appendOnly,
    log: () => output,
    exited: () => {
      const current = child;
      if (restarting || current === undefined || (current.exitCode === null && current.signalCode === null)) return undefined;
      return `exited (${current.signalCode ?? current.exitCode}): ${tail(output, 3)}`;
    },
    restart: async (whileDown) => {
      if (stopping !== undefined) throw new Error('redis-server was stopped; start a new one');
      restarting = true;
      try {
        if (child !== undefined) await stopChild(child, 'SIGTERM');
        if (whileDown !== undefined) await whileDown();
        await spawnServer(port);
      } finally {
        restarting = false;
      }
    },
    stop: () =>
      (stopping ??= (child === undefined ? Promise.resolve() : stopChild(child, 'SIGTERM')).then(() => {
        untrack();
        rmSync(dir, { recursive: true, force: true });
      })),
  };
  const untrack = track({ process: () => child, dir, stop: () => server.stop() });
  return server;
}
