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
import { runBulkSend } from '../bulk-run.js';
import type { CliContext } from '../context.js';
import { startDemoServer } from '../demo-server.js';
import { EXIT_CODES_HELP, ExitCode } from '../exit-codes.js';
import { count, duration, rate } from '../format.js';
import { positiveInt } from '../target.js';

interface DemoFlags {
  count: number;
  connections?: number;
  progress: boolean;
}

const TOPIC = 'com.example.demo';
/** Where the demo plants its unregistered (410) and malformed tokens. */
interface Plan {
  readonly unregistered: ReadonlySet<number>;
  readonly malformed: ReadonlySet<number>;
}

/** A few of each (3 to 25 unregistered, 2 to 10 malformed), spread over the run. */
function plan(total: number): Plan {
  const spread = (n: number, offset: number): Set<number> => {
    const stride = Math.floor(total / (n + 1));
    return new Set(Array.from({ length: n }, (_, k) => (k + 1) * stride + offset));
  };
  if (total < 20) return { unregistered: new Set(), malformed: new Set() };
  return {
    unregistered: spread(Math.min(25, Math.max(3, Math.floor(total / 4000))), 0),
    malformed: spread(Math.min(10, Math.max(2, Math.floor(total / 10_000))), 1),
  };
}

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

/** The demo's tokens, generated as they are pulled (never all in memory). */
function* demoTokens(total: number, prefix: string, malformed: ReadonlySet<number>): Generator<string> {
  for (let i = 0; i < total; i++) yield malformed.has(i) ? `not-a-token-${i}` : tokenAt(prefix, i);
}

function tokenAt(prefix: string, i: number): string {
  return prefix + i.toString(16).padStart(64 - prefix.length, '0');
}

async function demo(flags: DemoFlags, context: CliContext): Promise<ExitCode> {
  const { stdout } = context.io;
  const total = flags.count;
  const prefix = randomBytes(8).toString('hex');
  const { unregistered, malformed } = plan(total);
  // Apple's timestamp: when the device was last seen with this token.
  const since = Date.now() - 86_400_000;
  const mock = await startDemoServer([...unregistered].map((i) => [tokenAt(prefix, i), since + i] as const));
  const { keyId, teamId, key } = mock.signingKey;
  const client = await Server.custom(mock.origin, { token: { keyId, teamId, key } }, { ca: mock.ca }).createClient(
    flags.connections === undefined ? {} : { connections: flags.connections },
  );
  stdout.write(
    `pushwire demo: mock APNs at ${mock.origin} (worker thread, fast mode, recording off)\n` +
      `sending ${count(total)} notifications (${unregistered.size} unregistered, ${malformed.size} malformed) to ${TOPIC}\n`,
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
      tokens: demoTokens(total, prefix, malformed),
      total,
      notification: { alert: { title: 'pushwire demo', body: 'Hello from the demo' }, badge: 1 },
      options: { topic: TOPIC },
      signal: abort.signal,
      ...(flags.progress ? { progress: { stream: stdout } } : {}),
    });
    stdout.write(`${result.summary}\n`);
    const perSecond = rate((result.tally.done * 1000) / result.elapsedMs);
    stdout.write(`pushwire demo: ${count(result.tally.done)} notifications in ${duration(result.elapsedMs)}, throughput ${perSecond}\n`);
    if (signalled) return ExitCode.Interrupted;
    // The demo's rejections are planted; only unplanned outcomes are a failure.
    const planned = result.tally.errors === 0 && result.tally.failed === unregistered.size + malformed.size;
    return planned ? ExitCode.Ok : result.exitCode;
  } finally {
    await client.close({ force: true });
    await mock.stop();
  }
}
