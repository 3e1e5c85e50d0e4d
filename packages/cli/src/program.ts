/**
 * The `pushwire` program: commander setup, the four commands, and the one
 * place that turns any failure into a one-line message and an exit code.
 */
import { Command, CommanderError } from 'commander';
import { APNSError, APNSRejection, InvalidArgumentError, type ErrorCode } from '@pushwire/api';
import { registerBroadcast } from './commands/broadcast.js';
import { registerBulk } from './commands/bulk.js';
import { registerChannels } from './commands/channels.js';
import { registerDemo } from './commands/demo.js';
import { registerEnqueue } from './commands/enqueue.js';
import { registerMock } from './commands/mock.js';
import { registerSend } from './commands/send.js';
import { registerWorker } from './commands/worker.js';
import { processInterrupted, processIo, type CliContext, type CliIo } from './context.js';
import { CliError, EXIT_CODES_HELP, ExitCode } from './exit-codes.js';
import { errorLabel } from './summary.js';

const VERSION = '0.1.0';

/** Error codes of the tiers below that mean "APNs never answered". */
const TRANSPORT_CODES: ReadonlySet<string> = new Set<ErrorCode>(['ERR_PUSHWIRE_CONNECT', 'ERR_PUSHWIRE_CLOSED', 'ERR_PUSHWIRE_TIMEOUT', 'ERR_PUSHWIRE_BLOCKED']);

/**
 * The JSON line a `--json` command prints on stdout when it ends with an
 * error instead of an answer (a transport failure, refused credentials, bad
 * input found by the command, a bug), so a script reading stdout always gets
 * one line: `{"status":null,"error":"transport","code":"ERR_PUSHWIRE_CONNECT",
 * "name":"ConnectError (ECONNREFUSED)","retryable":true,"message":"…","exitCode":4}`.
 */
export function errorJson(error: unknown): Record<string, unknown> {
  const { code: exitCode, message } = classifyError(error);
  const kind = ({ [ExitCode.BadInput]: 'bad-input', [ExitCode.Rejected]: 'rejected', [ExitCode.Transport]: 'transport' } as Partial<Record<ExitCode, string>>)[exitCode] ?? 'internal';
  const code = (error as { code?: unknown } | undefined)?.code;
  const retryable = (error as { retryable?: unknown } | undefined)?.retryable;
  return {
    status: null,
    error: kind,
    ...(typeof code === 'string' ? { code } : {}),
    name: errorLabel(error),
    ...(typeof retryable === 'boolean' ? { retryable } : {}),
    message,
    exitCode,
  };
}

/** The exit code and one-line message for an error that ended a command. */
export function classifyError(error: unknown): { code: ExitCode; message: string } {
  if (error instanceof CliError) return { code: error.exitCode, message: error.message };
  if (error instanceof APNSRejection) return { code: ExitCode.Rejected, message: `rejected: ${error.status} ${error.reason}` };
  if (error instanceof InvalidArgumentError) return { code: ExitCode.BadInput, message: error.message };
  // APNs refused the credentials on an earlier request: the client failed, this one was not sent.
  if (error instanceof APNSError && error.code === 'ERR_PUSHWIRE_RESPONSE') return { code: ExitCode.Rejected, message: `rejected: ${error.message}` };
  if (error instanceof APNSError && TRANSPORT_CODES.has(error.code)) {
    return { code: ExitCode.Transport, message: `transport failure: ${error.name}: ${error.message}` };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { code: ExitCode.Internal, message: `internal error: ${message}` };
}

/**
 * Builds the program. Commands report their exit code through `context`;
 * use {@link run} to get it.
 */
export function createProgram(context: CliContext): Command {
  const { io } = context;
  const program = new Command('pushwire')
    .description('Send Apple push notifications over HTTP/2, in bulk, or against a local mock APNs server.')
    .version(VERSION, '-V, --version')
    .option('-v, --verbose', 'print what is being done (never secrets)')
    .showHelpAfterError(false)
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
      // One line: commander puts its "(Did you mean ...?)" hint on a second one.
      outputError: (s, write) => write(`${s.trim().replace(/\s*\n\s*/g, ' ')}\n`),
    })
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  $ pushwire demo
  $ pushwire mock --port 8443
  $ pushwire send --env mock --token a1b2... --topic com.example.app --alert "Hello"
  $ pushwire bulk --env production --key-file AuthKey_ABC123DEFG.p8 --key-id ABC123DEFG \\
      --team-id DEF123GHIJ --topic com.example.app --tokens tokens.txt --payload payload.json --out results.ndjson
  $ pushwire worker --redis redis://127.0.0.1:6379 --credentials main --env production --key-file AuthKey_ABC123DEFG.p8 \\
      --key-id ABC123DEFG --team-id DEF123GHIJ
  $ pushwire enqueue --redis redis://127.0.0.1:6379 --credentials main --topic com.example.app --tokens tokens.txt --alert "Sale!"
  $ pushwire channels create --env mock --bundle-id com.example.app --storage-policy none
  $ pushwire broadcast --env mock --bundle-id com.example.app --channel <id> --content-state '{"score":"1-0"}'

Run \`pushwire <command> --help\` for a command's flags and examples.

${EXIT_CODES_HELP}`,
    );
  for (const register of [registerSend, registerBulk, registerEnqueue, registerWorker, registerChannels, registerBroadcast, registerMock, registerDemo]) {
    const command = register(program, context);
    command.exitOverride().configureOutput(program.configureOutput());
  }
  return program;
}

/**
 * Runs `argv` (as `process.argv`: node, script, args...) and resolves with
 * the exit code. Never throws: failures are printed as one line on stderr.
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.Ok;
  const context: CliContext = {
    io,
    setExitCode: (code) => {
      exitCode = code;
    },
    interrupted: processInterrupted,
  };
  const program = createProgram(context);
  // The command whose action runs, so a failure can honour its --json.
  let active: Command | undefined;
  program.hook('preAction', (_program, actionCommand) => {
    active = actionCommand;
  });
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version "errors" are successes; commander already printed the rest.
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.BadInput;
    }
    const { code, message } = classifyError(error);
    if (active?.opts<{ json?: boolean }>().json === true) io.stdout.write(`${JSON.stringify(errorJson(error))}\n`);
    io.stderr.write(`error: ${message}\n`);
    if (code === ExitCode.Internal && program.opts<{ verbose?: boolean }>().verbose === true && error instanceof Error && error.stack) {
      io.stderr.write(`${error.stack}\n`);
    }
    return code;
  }
}
