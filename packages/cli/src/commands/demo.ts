/**
 * `pushwire demo`: the first minute with pushwire. Starts the mock APNs
 * server in-process (fast mode, recording off), marks a few tokens
 * unregistered, mixes in a few malformed ones, sends a bulk batch through
 * the real client and pool with the progress display, and prints the
 * summary and throughput.
 */
import { randomBytes } from 'node:crypto';
import { Option, type Command } from 'commander';
import { Server } from '@pushwire/api';
import { MockApnsServer } from '@pushwire/mock-server';
import { runBulkSend } from '../bulk-run.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP, ExitCode } from '../exit-codes.js';
import { count, rate } from '../format.js';
import { positiveInt } from '../target.js';

interface DemoFlags {
  count: number;
  connections?: number;
  progress: boolean;
}

const TOPIC = 'com.example.demo';
/** One token in this many is unregistered (410), one in this many malformed. */
const UNREGISTERED_EVERY = 10_007;
const MALFORMED_EVERY = 25_013;

const HELP = `
Examples:
  $ pushwire demo
  $ pushwire demo --count 1000000 --connections 4

Everything runs locally: no Apple credentials and no network are needed.

${EXIT_CODES_HELP}`;

/** Adds `demo` to `program`. */
export function registerDemo(program: Command, context: CliContext): Command {
  const command = program.command('demo').description('send a bulk batch to an embedded mock APNs server and print the summary');
  command
    .addOption(new Option('--count <n>', 'number of device tokens').default(100_000).argParser(positiveInt('--count', 100_000_000)))
    .addOption(new Option('--connections <n>', 'HTTP/2 connections of the client (default 2)').argParser(positiveInt('--connections', 64)))
    .option('--no-progress', 'no progress display')
    .addHelpText('after', HELP)
    .action(async (flags: DemoFlags) => {
      context.setExitCode(await demo(flags, context));
    });
  return command;
}

/** The demo's tokens: well-formed ones, with every Nth unregistered or malformed. */
function* demoTokens(total: number, prefix: string): Generator<string> {
  for (let i = 0; i < total; i++) {
    if (i % MALFORMED_EVERY === MALFORMED_EVERY - 1) yield `not-a-token-${i}`;
    else yield tokenAt(prefix, i);
  }
}

function tokenAt(prefix: string, i: number): string {
  return prefix + i.toString(16).padStart(64 - prefix.length, '0');
}

async function demo(flags: DemoFlags, context: CliContext): Promise<ExitCode> {
  const { stdout } = context.io;
  const total = flags.count;
  const mock = await MockApnsServer.start({ auth: 'token', record: false, fast: true });
  const prefix = randomBytes(8).toString('hex');
  let unregistered = 0;
  const since = Date.now() - 86_400_000;
  for (let i = UNREGISTERED_EVERY - 1; i < total; i += UNREGISTERED_EVERY) {
    if (i % MALFORMED_EVERY === MALFORMED_EVERY - 1) continue;
    mock.unregisterDevice(tokenAt(prefix, i), { timestamp: since + i, reason: 'Unregistered' });
    unregistered++;
  }
  const malformed = Math.floor(total / MALFORMED_EVERY);
  const { keyId, teamId, key } = mock.signingKey;
  const client = await Server.custom(mock.origin, { token: { keyId, teamId, key } }, { ca: mock.ca }).createClient(
    flags.connections === undefined ? {} : { connections: flags.connections },
  );
  stdout.write(
    `pushwire demo: mock APNs at ${mock.origin} (in-process, recording off)\n` +
      `sending ${count(total)} notifications (${unregistered} unregistered, ${malformed} malformed) to ${TOPIC}\n`,
  );
  const abort = new AbortController();
  let signalled = false;
  void context.interrupted().then(() => {
    signalled = true;
    abort.abort();
  });
  try {
    const result = await runBulkSend({
      client,
      tokens: demoTokens(total, prefix),
      total,
      notification: { alert: { title: 'pushwire demo', body: 'Hello from the demo' }, badge: 1 },
      options: { topic: TOPIC },
      signal: abort.signal,
      ...(flags.progress ? { progress: { stream: stdout } } : {}),
    });
    stdout.write(`${result.summary}\n`);
    stdout.write(`throughput: ${rate((result.tally.done * 1000) / result.elapsedMs)} (${count(result.tally.done)} notifications)\n`);
    if (signalled) return ExitCode.Interrupted;
    // The demo's rejections are planted; only unplanned outcomes are a failure.
    const planned = result.tally.errors === 0 && result.tally.failed === unregistered + malformed;
    return planned ? ExitCode.Ok : result.exitCode;
  } finally {
    await client.close({ force: true });
    await mock.stop();
  }
}
