/**
 * `pushwire send`: one notification to one device; prints the apns-id or
 * the rejection, and exits with a code per outcome class.
 */
import type { Command } from 'commander';
import { APNSRejection } from '@pushwire/api';
import { addAuthOptions } from '../auth-flags.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP, ExitCode } from '../exit-codes.js';
import { addNotificationOptions, loadNotification, sendOptionsOf, type NotificationFlags } from '../notification-flags.js';
import { addTargetOptions, openTarget, type TargetFlags } from '../target.js';

type SendFlags = NotificationFlags & TargetFlags & { token: string; json?: boolean; verbose?: boolean };

const HELP = `
Examples:
  # against a running \`pushwire mock\` (its CA and test key are used)
  $ pushwire send --env mock --token 7e5f...c3a1 --topic com.example.app --alert "Hello"

  # production, provider token auth, payload from a file
  $ pushwire send --env production --key-file AuthKey_ABC123DEFG.p8 --key-id ABC123DEFG --team-id DEF123GHIJ \\
      --token 7e5f...c3a1 --topic com.example.app --payload payload.json

  # payload on stdin, credentials from the environment
  $ export PUSHWIRE_KEY_FILE=AuthKey_ABC123DEFG.p8 PUSHWIRE_KEY_ID=ABC123DEFG PUSHWIRE_TEAM_ID=DEF123GHIJ
  $ echo '{"aps":{"content-available":1}}' | pushwire send --token 7e5f...c3a1 --topic com.example.app \\
      --push-type background --priority 5

Prints the apns-id on stdout (or, with --json, one JSON line). A rejection is
printed on stderr as "rejected: <status> <reason>".

${EXIT_CODES_HELP}`;

/** Adds `send` to `program`. */
export function registerSend(program: Command, context: CliContext): Command {
  const command = program.command('send').description('send one notification to one device token');
  command.requiredOption('--token <hex>', 'device token (hex)');
  addNotificationOptions(command, "payload JSON file as APNs expects it ({\"aps\":{...}, ...}); '-' for stdin");
  addTargetOptions(command);
  addAuthOptions(command);
  command.option('--json', 'print the outcome as one JSON line on stdout').addHelpText('after', HELP);
  command.action(async (_flags: SendFlags, cmd: Command) => {
    context.setExitCode(await send(cmd, cmd.optsWithGlobals<SendFlags>(), context));
  });
  return command;
}

async function send(command: Command, flags: SendFlags, context: CliContext): Promise<ExitCode> {
  const { stdout, stderr } = context.io;
  const notification = await loadNotification(flags, context.io, true);
  const options = sendOptionsOf(flags);
  const target = await openTarget(command, flags, stderr);
  if (flags.verbose === true) stderr.write(`sending to ${target.description}\n`);
  try {
    const apnsId = await target.client.sendNotification(flags.token.trim(), notification, options);
    stdout.write(flags.json === true ? `${JSON.stringify({ status: 200, apnsId })}\n` : `${apnsId}\n`);
    return ExitCode.Ok;
  } catch (error) {
    if (!(error instanceof APNSRejection)) throw error;
    if (flags.json === true) {
      const { status, reason, timestamp, apnsId } = error;
      stdout.write(`${JSON.stringify(timestamp === undefined ? { status, reason, apnsId } : { status, reason, timestamp, apnsId })}\n`);
    }
    const since = error.timestamp === undefined ? '' : ` (token invalid since ${new Date(error.timestamp).toISOString()})`;
    stderr.write(`rejected: ${error.status} ${error.reason}${since}\n`);
    return ExitCode.Rejected;
  } finally {
    await target.client.close({ force: true });
  }
}
