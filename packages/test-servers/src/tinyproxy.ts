/**
 * tinyproxy for tests: Debian's `tinyproxy` (1.11), installed when missing,
 * an HTTP proxy that tunnels `CONNECT host:port`, with its own config and
 * log file in a temp dir, on a free loopback port.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureInstalled } from './install.js';
import { bounded, tail, track } from './launch.js';
import { integer } from './options.js';
import { freePort, spawnUntilReady, stopChild } from './process.js';

/** How to run tinyproxy. Each option maps to one config directive. */
export interface TinyproxyOptions {
  /**
   * `BasicAuth <user> <password>`: the proxy answers 407 to a request without
   * these credentials. Letters, digits and `._-` only (they go into the config file).
   */
  auth?: { readonly user: string; readonly password: string };
  /** `ConnectPort <port>` each: the only ports `CONNECT` may reach. @default all ports */
  connectPorts?: readonly number[];
  /**
   * `Timeout <seconds>`: a connection (a CONNECT tunnel too) with no traffic
   * either way for this long is closed by the proxy.
   * @default 600
   */
  idleTimeout?: number;
}

/** A tinyproxy this package started, until `stop()`. */
export interface TinyproxyServer {
  readonly name: 'tinyproxy';
  /** `http://127.0.0.1:<port>`, without credentials. */
  readonly origin: string;
  /** `http://<user>:<password>@127.0.0.1:<port>` with `auth`, else {@link origin}. */
  readonly url: string;
  readonly host: '127.0.0.1';
  readonly port: number;
  /** e.g. `1.11.1`. */
  readonly version: string;
  /** The log file so far (LogLevel `Connect`: one `Request (file descriptor N): CONNECT host:port HTTP/1.1` line per request). */
  log(): string;
  /** `undefined` while the proxy runs; how it ended otherwise. */
  exited(): string | undefined;
  /** Stops the proxy (SIGTERM, SIGKILL after 5 s) and removes its work dir. Idempotent. */
  stop(): Promise<void>;
}

const READY_TIMEOUT = 15_000;
const PORT_ATTEMPTS = 3;
const SAFE = /^[A-Za-z0-9._-]{1,64}$/;

function config(dir: string, port: number, options: TinyproxyOptions): string {
  const lines = [
    '# Made by @pushwire/test-servers; removed when the proxy stops.',
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Allow 127.0.0.1',
    `Timeout ${options.idleTimeout === undefined ? 600 : integer('idleTimeout', options.idleTimeout, 1, 86_400)}`,
    `LogFile "${join(dir, 'tinyproxy.log')}"`,
    'LogLevel Connect',
    'MaxClients 100',
    'DisableViaHeader Yes',
  ];
  for (const p of options.connectPorts ?? []) lines.push(`ConnectPort ${integer('connectPorts[]', p, 1, 65_535)}`);
  if (options.auth !== undefined) {
    const { user, password } = options.auth;
    if (!SAFE.test(user) || !SAFE.test(password)) throw new RangeError('auth.user and auth.password must be 1 to 64 of [A-Za-z0-9._-]');
    lines.push(`BasicAuth ${user} ${password}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `tinyproxy 1.11.1` → `1.11.1`. */
function tinyproxyVersion(binary: string): string {
  const out = spawnSync(binary, ['-v'], { encoding: 'utf8' });
  const text = `${out.stdout}${out.stderr}`.trim();
  return /tinyproxy\s+(\S+)/.exec(text)?.[1] ?? text;
}

/** Resolves once the port accepts a TCP connection; throws when `child` exits first or after the timeout. */
async function waitForListen(port: number, child: ChildProcess, timeoutMs = READY_TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`tinyproxy exited (${child.signalCode ?? `code ${child.exitCode}`}) before listening`);
    }
    const outcome = await new Promise<true | string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', (error) => resolve(error.message));
    });
    if (outcome === true) return;
    if (Date.now() > deadline) throw new Error(`127.0.0.1:${port} not listening after ${timeoutMs} ms (last: ${outcome})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts tinyproxy (Debian `tinyproxy`; installed with
 * `scripts/install-debian.sh` when missing) in the foreground (`-d`) on a
 * free 127.0.0.1 port, with its own config and log file in a temp dir, and
 * resolves once it listens.
 *
 * @example
 * ```ts
 * const proxy = await startTinyproxy({ auth: { user: 'u', password: 'p' }, connectPorts: [mock.port] });
 * const conn = await Connection.connect(mock.origin, { proxy: proxy.url, tls: { ca: mock.ca } });
 * expect(proxy.log()).toMatch(/CONNECT localhost:\d+/);
 * afterAll(stopAll);       // or proxy.stop()
 * ```
 * @throws when tinyproxy cannot be installed or does not start (its output in the message).
 */
export async function startTinyproxy(options: TinyproxyOptions = {}): Promise<TinyproxyServer> {
  const binary = await ensureInstalled('tinyproxy', ['tinyproxy']);
  const version = tinyproxyVersion(binary);
  const dir = mkdtempSync(join(tmpdir(), 'pushwire-tinyproxy-'));
  const configFile = join(dir, 'tinyproxy.conf');
  const logFile = join(dir, 'tinyproxy.log');
  let output = '';
  const keep = (text: string): void => void (output = bounded(output + text));
  let child: ChildProcess | undefined;
  let port: number;
  try {
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      writeFileSync(configFile, config(dir, port, options));
      const listening = port;
      try {
        child = await spawnUntilReady({ binary, args: ['-d', '-c', configFile], dir }, keep, (started) => waitForListen(listening, started));
        break;
      } catch (error) {
        const log = readLog(logFile);
        const message = `tinyproxy (${binary} -d -c ${configFile}) did not start: ${(error as Error).message}\n${tail(`${output}\n${log}`, 10)}`;
        // Another process took the port between freePort() and the bind: try another.
        if (!/address already in use|could not create listening/i.test(`${output}${log}`) || attempt >= PORT_ATTEMPTS) throw new Error(message, { cause: error });
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const running = child;
  let stopping: Promise<void> | undefined;
  const origin = `http://127.0.0.1:${port}`;
  const server: TinyproxyServer = {
    name: 'tinyproxy',
    origin,
    url: options.auth === undefined ? origin : `http://${options.auth.user}:${options.auth.password}@127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    version,
    log: () => readLog(logFile),
    exited: () =>
      running.exitCode === null && running.signalCode === null ? undefined : `exited (${running.signalCode ?? running.exitCode}): ${tail(`${output}\n${readLog(logFile)}`, 3)}`,
    stop: () =>
      (stopping ??= stopChild(running, 'SIGTERM').then(() => {
        untrack();
        rmSync(dir, { recursive: true, force: true });
      })),
  };
  const untrack = track({ process: () => running, dir, stop: () => server.stop() });
  return server;
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
