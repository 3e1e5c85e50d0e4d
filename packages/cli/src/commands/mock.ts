/**
 * `pushwire mock`: runs the mock APNs server until Ctrl-C, printing what a
 * client needs to reach it (origin, CA file, test signing key ids and key
 * file; never the key itself).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP, ExitCode, badInput } from '../exit-codes.js';
import { loadFaults } from '../faults.js';
import { mockStatePath, removeMockState, writeMockState } from '../mock-state.js';
import { loadMockServer } from '../mock-server.js';

interface MockFlags {
  port: number;
  faults?: string;
  strictDevices?: boolean;
}

const HELP = `
Examples:
  $ pushwire mock                       # random free port
  $ pushwire mock --port 8443 --faults faults.json
  # in another shell (finds the running mock through ${'$'}PUSHWIRE_MOCK_STATE or a private per-user dir):
  $ pushwire send --env mock --token $(openssl rand -hex 32) --topic com.example.app --alert "Hello"

The CA certificate and the test .p8 key are written to a temp directory
(removed on exit). SIGINT (Ctrl-C) and SIGTERM stop the server cleanly.
--faults takes a JSON array of faults as @pushwire/mock-server describes them,
e.g. [{"kind":"status","status":503,"reason":"ServiceUnavailable","nth":3}].

${EXIT_CODES_HELP}`;

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) throw badInput(`--port expects 0-65535, got '${value}'`);
  return n;
}

/** Adds `mock` to `program`. */
export function registerMock(program: Command, context: CliContext): Command {
  const command = program.command('mock').description('run the mock APNs server until Ctrl-C');
  command
    .addOption(new Option('--port <port>', 'port on 127.0.0.1 (0 = any free port)').default(0).argParser(parsePort))
    .option('--faults <file>', 'JSON file of faults to inject')
    .option('--strict-devices', 'answer BadDeviceToken for tokens that were never registered')
    .addHelpText('after', HELP)
    .action(async (flags: MockFlags) => {
      context.setExitCode(await mock(flags, context));
    });
  return command;
}

async function mock(flags: MockFlags, context: CliContext): Promise<ExitCode> {
  const { stdout } = context.io;
  const { MockApnsServer } = await loadMockServer('mock');
  const faults = flags.faults === undefined ? [] : await loadFaults(flags.faults);
  // Take over signals before starting, so an early Ctrl-C still stops cleanly.
  const interrupted = context.interrupted();
  const server = await MockApnsServer.start({ port: flags.port, auth: 'token', strictDevices: flags.strictDevices === true });
  const dir = await mkdtemp(join(tmpdir(), 'pushwire-mock-'));
  try {
    for (const fault of faults) server.inject(fault);
    const { keyId, teamId, key } = server.signingKey;
    const caPath = join(dir, 'ca.pem');
    const keyPath = join(dir, `AuthKey_${keyId}.p8`);
    await writeFile(caPath, server.ca);
    await writeFile(keyPath, key, { mode: 0o600 });
    await writeMockState({ origin: server.origin, caPath, keyId, teamId, keyPath, pid: process.pid });
    stdout.write(
      [
        'pushwire mock APNs server running',
        `  origin    ${server.origin}`,
        `  CA        ${caPath}`,
        `  key id    ${keyId}`,
        `  team id   ${teamId}`,
        `  key file  ${keyPath}`,
        `  state     ${mockStatePath()}`,
        ...(faults.length === 0 ? [] : [`  faults    ${faults.length} from ${flags.faults}`]),
        'Try: pushwire send --env mock --token <hex> --topic com.example.app --alert "Hello"',
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
    const signal = await interrupted;
    stdout.write(`${signal}: stopping\n`);
    return ExitCode.Ok;
  } finally {
    await server.stop();
    await removeMockState();
    await rm(dir, { recursive: true, force: true });
    stdout.write('mock server stopped\n');
  }
}
