/**
 * The standalone mock: parses argv, starts a {@link MockApnsServer}, writes
 * its CA and test key to a temp directory and prints how to reach it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseFaults } from './faults.js';
import type { AuthMode, MockServerOptions } from './options.js';
import { MockApnsServer } from './server.js';

/** Usage text of the standalone entry. */
export const USAGE = `usage: node dist/main.js [options]
  --port N                  port to listen on (default 0: any free port)
  --host HOST               address to bind (default 127.0.0.1)
  --auth MODE               token | certificate | any | none (default token)
  --environment ENV         development | production (default development)
  --max-concurrent-streams N  advertised stream limit (default 1000)
  --connection-window N     connection window advertised, 65535 to 2147483647 (default 2147483647)
  --strict-devices          only registered tokens are live (none are, standalone)
  --faults FILE             JSON array of faults to inject
  --fast                    benchmark mode: no recording, minimal work
  --no-record               do not keep requests
  --json                    print one JSON line {origin, ca, caPath, keyPath, signingKey}
  --help                    this text`;

/** A running standalone mock. */
export interface RunningMock {
  readonly server: MockApnsServer;
  /** Directory holding ca.pem and the AuthKey_<keyId>.p8 file. */
  readonly dir: string;
  /** Stops the server and removes `dir`. */
  stop(): Promise<void>;
}

/**
 * Starts the mock as the command line says; prints its origin, CA path and
 * test key to `out`.
 * @throws {TypeError} for bad arguments or a bad faults file.
 */
export async function runMockServer(argv: readonly string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<RunningMock | undefined> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      auth: { type: 'string' },
      environment: { type: 'string' },
      'max-concurrent-streams': { type: 'string' },
      'connection-window': { type: 'string' },
      'strict-devices': { type: 'boolean' },
      faults: { type: 'string' },
      fast: { type: 'boolean' },
      record: { type: 'boolean' },
      'no-record': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    out(USAGE);
    return undefined;
  }
  const options: MockServerOptions = {};
  if (values.port !== undefined) options.port = Number(values.port);
  if (values.host !== undefined) options.host = values.host;
  if (values.auth !== undefined) options.auth = values.auth as AuthMode;
  if (values.environment !== undefined) options.environment = values.environment as 'development' | 'production';
  if (values['max-concurrent-streams'] !== undefined) options.maxConcurrentStreams = Number(values['max-concurrent-streams']);
  if (values['connection-window'] !== undefined) options.connectionWindow = Number(values['connection-window']);
  if (values['strict-devices']) options.strictDevices = true;
  if (values.fast) options.fast = true;
  if (values['no-record'] || values.record === false) options.record = false;
  const faults = values.faults === undefined ? [] : parseFaults(JSON.parse(await readFile(values.faults, 'utf8')) as unknown);

  const server = await MockApnsServer.start(options);
  for (const fault of faults) server.inject(fault);
  const dir = await mkdtemp(join(tmpdir(), 'pushwire-mock-'));
  const { keyId, teamId, key } = server.signingKey;
  const caPath = join(dir, 'ca.pem');
  const keyPath = join(dir, `AuthKey_${keyId}.p8`);
  await writeFile(caPath, server.ca);
  await writeFile(keyPath, key, { mode: 0o600 });
  if (values.json) {
    out(JSON.stringify({ origin: server.origin, port: server.port, ca: server.ca, caPath, keyPath, signingKey: { keyId, teamId, key } }));
  } else {
    out(`mock APNs listening at ${server.origin} (auth: ${options.auth ?? 'token'}${options.fast ? ', fast mode' : ''})`);
    out(`CA certificate: ${caPath}`);
    out(`signing key: ${keyPath} (key id ${keyId}, team id ${teamId})`);
    if (faults.length > 0) out(`faults: ${faults.length} injected`);
  }
  let stopped: Promise<void> | undefined;
  return {
    server,
    dir,
    stop: () => (stopped ??= server.stop().then(() => rm(dir, { recursive: true, force: true }))),
  };
}
