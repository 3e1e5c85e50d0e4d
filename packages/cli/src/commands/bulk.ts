/**
 * `pushwire bulk`: one notification to every token of a file, streamed
 * (never read whole), with progress, one NDJSON result per token, and a
 * summary table.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Option, type Command } from 'commander';
import { BatchInterrupted, TokenFileError } from '@pushwire/api';
import { addAuthOptions } from '../auth-flags.js';
import { runBulkSend } from '../bulk-run.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT_CODES_HELP, ExitCode, badInput } from '../exit-codes.js';
import { fileErrorReason } from '../files.js';
import { NdjsonWriter } from '../ndjson.js';
import { addNotificationOptions, loadNotification, sendOptionsOf, type NotificationFlags } from '../notification-flags.js';
import { addTargetOptions, openTarget, positiveInt, renamed, type TargetFlags } from '../target.js';
import { summaryJson } from '../summary.js';
import { STDIN, assertReadable, countTokens, readTokens, readTokensFrom } from '../token-file.js';

type BulkFlags = NotificationFlags &
  TargetFlags & { tokens: string; json?: boolean; out?: string; progress: boolean; progressInterval?: number; concurrency?: number; verbose?: boolean };

const HELP = `
Examples:
  $ pushwire bulk --env mock --topic com.example.app --tokens tokens.txt --alert "Sale!" --out results.ndjson
  $ pushwire bulk --env mock --topic com.example.app --tokens tokens.txt.gz --alert "Sale!" --out results.ndjson
  $ pushwire bulk --env production --key-file AuthKey_ABC123DEFG.p8 --key-id ABC123DEFG --team-id DEF123GHIJ \\
      --topic com.example.app --tokens tokens.txt --payload payload.json > results.ndjson
  $ jq -r 'select(.status == 410) | .token' results.ndjson     # tokens to forget
  $ psql -Atc 'select token from devices' | pushwire bulk --env production --topic com.example.app \
      --tokens - --alert "Sale!" --out results.ndjson --json      # tokens on stdin, summary as JSON

The token file holds one hex token per line (blank lines and # comments are
skipped), plain or gzip (a .gz name, or gzip bytes); it is streamed and no
per-token state is kept, so any size works in flat memory. Each token gets one NDJSON line:
  {"token":"…","status":200,"apnsId":"…"}
  {"token":"…","status":410,"reason":"Unregistered","timestamp":1750000000000}
  {"token":"…","status":null,"error":"Timeout","retryable":false}   (no answer)
Results go to --out, or to stdout; progress and the summary go to stderr when
results use stdout, otherwise to stdout. Progress is a bar redrawn in place on
a terminal, a plain line every --progress-interval ms otherwise.

--tokens - reads the tokens from stdin (same rules, gzip too; no percentage in
the progress, as the count is unknown). --json prints the summary as one JSON
line on stdout instead of the table (after the results when they use stdout;
progress goes to stderr), e.g.
  {"summary":{"sent":98,"failed":1,"errors":1,"unregistered":1,"total":100,
   "failures":[{"status":410,"reason":"Unregistered","count":1}],
   "errorKinds":[{"error":"Timeout","count":1}],"elapsedMs":120,
   "throughput":833,"interrupted":false,"exitCode":4}}
If the command fails as a whole (bad input, no connection) --json prints
{"status":null,"error":"<kind>","code":…,"message":…,"exitCode":…} instead.

${EXIT_CODES_HELP}`;

/** Adds `bulk` to `program`. */
export function registerBulk(program: Command, context: CliContext): Command {
  const command = program.command('bulk').description('send one notification to every token of a file, with progress and per-token results');
  command.requiredOption('--tokens <file>', "file with one device token per line (gzip too); '-' for stdin");
  addNotificationOptions(command, "payload JSON file as APNs expects it ({\"aps\":{...}, ...}); '-' for stdin");
  command
    .option('--out <file>', 'write NDJSON results here instead of stdout')
    .option('--no-progress', 'no progress display (the summary is still printed)')
    .option('--json', 'print the summary as one JSON line on stdout (progress goes to stderr)')
    .addOption(new Option('--progress-interval <ms>', 'ms between progress lines when not on a terminal (default 1000)').argParser(positiveInt('--progress-interval')))
    .addOption(new Option('--concurrency <n>', 'most tokens in flight at once (default 1000)').argParser(positiveInt('--concurrency', 1_000_000)))
    // The old name fails with the new one rather than as an unknown flag.
    .addOption(new Option('--window <n>').hideHelp().argParser(renamed('--window', '--concurrency')));
  addTargetOptions(command);
  addAuthOptions(command);
  command.addHelpText('after', HELP);
  command.action(async (_flags: BulkFlags, cmd: Command) => {
    context.setExitCode(await bulk(cmd, cmd.optsWithGlobals<BulkFlags>(), context));
  });
  return command;
}

async function openOut(path: string): Promise<Writable> {
  const stream = createWriteStream(path);
  try {
    await once(stream, 'open');
  } catch (error) {
    throw badInput(`cannot write --out '${path}': ${fileErrorReason(error)}`, error);
  }
  return stream;
}

/** A token file that broke mid-run (corrupt gzip, a read error): bad input, naming the file and why. */
function sourceFailure(path: string, error: BatchInterrupted): CliError {
  const { cause } = error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const why = cause instanceof TokenFileError ? cause.reason : typeof code === 'string' ? code : undefined;
  return new CliError(`reading --tokens '${path}' failed${why === undefined ? '' : `: ${why}`}`, ExitCode.BadInput, { cause: error });
}

async function bulk(command: Command, flags: BulkFlags, context: CliContext): Promise<ExitCode> {
  const { io } = context;
  const fromStdin = flags.tokens === STDIN;
  if (fromStdin && flags.payload === STDIN) throw badInput("--tokens - and --payload - cannot both read stdin");
  if (!fromStdin) await assertReadable('--tokens', flags.tokens);
  const notification = await loadNotification(flags, io, false);
  const options = sendOptionsOf(flags);
  const target = await openTarget(command, flags, io.stderr);
  const out = flags.out === undefined ? io.stdout : await openOut(flags.out);
  // Results own stdout unless they go to a file; with --json the summary line does.
  const display = flags.out === undefined || flags.json === true ? io.stderr : io.stdout;
  if (flags.verbose === true) display.write(`sending to ${target.description}\n`);
  const writer = new NdjsonWriter(out);
  const abort = new AbortController();
  let signalled = false;
  void context.interrupted().then(() => {
    signalled = true;
    abort.abort();
  });
  try {
    const result = await runBulkSend({
      client: target.client,
      tokens: fromStdin ? readTokensFrom(io.stdin, () => writer.ready()) : readTokens(flags.tokens, () => writer.ready()),
      ...(fromStdin ? {} : { total: countTokens(flags.tokens) }),
      notification,
      options,
      writer,
      signal: abort.signal,
      ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
      ...(flags.progress ? { progress: { stream: display, ...(flags.progressInterval === undefined ? {} : { lineInterval: flags.progressInterval }) } } : {}),
    });
    await writer.close(flags.out !== undefined);
    const exitCode = signalled ? ExitCode.Interrupted : result.exitCode;
    if (flags.json === true) {
      io.stdout.write(`${JSON.stringify({ summary: { ...summaryJson(result.tally, result.elapsedMs), interrupted: signalled, exitCode } })}\n`);
    } else {
      display.write(`${result.summary}\n`);
    }
    return exitCode;
  } catch (error) {
    await writer.close(flags.out !== undefined).catch(() => undefined);
    const failure = writer.failure;
    if (failure !== undefined) {
      const why = (failure as { code?: unknown }).code;
      throw new CliError(`cannot write results to ${flags.out === undefined ? 'stdout' : `--out '${flags.out}'`}: ${typeof why === 'string' ? why : failure.message}`, ExitCode.Internal, { cause: failure });
    }
    if (error instanceof BatchInterrupted && error.origin === 'source') throw sourceFailure(flags.tokens, error);
    throw error;
  } finally {
    await target.client.close({ force: true });
  }
}
