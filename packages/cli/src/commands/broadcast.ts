/**
 * `pushwire broadcast`: one Live Activity update or end to every device
 * subscribed to a channel.
 */
import { Option, type Command } from 'commander';
import { liveActivityEnd, liveActivityUpdate, type Notification, type RawPayload } from '@pushwire/api';
import { addAuthOptions } from '../auth-flags.js';
import { addChannelOptions, runChannelCall, type ChannelFlags } from '../channel-flags.js';
import type { CliContext } from '../context.js';
import type { ExitCode} from '../exit-codes.js';
import { EXIT_CODES_HELP, badInput } from '../exit-codes.js';
import { loadNotification } from '../notification-flags.js';
import { addTargetOptions, openTarget, positiveInt, type TargetFlags } from '../target.js';

type Flags = ChannelFlags &
  TargetFlags & {
    channel: string;
    payload?: string;
    event?: 'update' | 'end';
    contentState?: string;
    alert?: string;
    staleDate?: number;
    dismissalDate?: number;
    priority?: 10 | 5 | 1;
    expiration?: number;
    verbose?: boolean;
  };

const HELP = `
Examples:
  # an update built from flags (event update, timestamp now)
  $ pushwire broadcast --env mock --bundle-id com.example.app --channel dHN0LXNyY2gtY2hubA== \\
      --content-state '{"home":1,"away":0}' --alert "Goal!"

  # the end, removed from the Lock Screen at once
  $ pushwire broadcast --env mock --bundle-id com.example.app --channel dHN0LXNyY2gtY2hubA== \\
      --event end --content-state '{"home":2,"away":1}' --dismissal-date 0

  # a payload as Apple documents it, from a file or stdin
  $ pushwire broadcast --env production --key-file AuthKey_ABC123DEFG.p8 --key-id ABC123DEFG --team-id DEF123GHIJ \\
      --bundle-id com.example.app --channel dHN0LXNyY2gtY2hubA== --payload update.json --priority 5

Prints the apns-request-id on stdout (or, with --json, one JSON line). Payloads may be
5120 bytes; a broadcast cannot start an activity. A rejection is printed on stderr as
"rejected: <status> <reason>" (ChannelNotRegistered: the channel does not exist).

${EXIT_CODES_HELP}`;

function unixSeconds(flag: string): (value: string) => number {
  return (value) => {
    const text = value.trim();
    if (/^\d+$/.test(text)) return Number(text);
    const ms = Date.parse(text);
    if (/^\d{4}-\d{2}-\d{2}/.test(text) && Number.isFinite(ms)) return Math.floor(ms / 1000);
    throw badInput(`${flag} expects UNIX seconds or an ISO 8601 date, got '${value}'`);
  };
}

function parsePriority(value: string): 10 | 5 | 1 {
  const n = positiveInt('--priority', 10)(value);
  if (n === 10 || n === 5 || n === 1) return n;
  throw badInput(`--priority expects 10, 5 or 1, got '${value}'`);
}

/** Adds `broadcast` to `program`. */
export function registerBroadcast(program: Command, context: CliContext): Command {
  const command = program.command('broadcast').description('broadcast a Live Activity update or end to a channel (iOS 18)');
  command.requiredOption('--channel <id>', 'the channel id (base64)');
  command
    .addOption(new Option('--event <event>', 'update (default) or end, with --content-state').choices(['update', 'end']))
    .option('--content-state <json>', 'the content-state JSON object; builds the payload from flags')
    .option('--alert <text>', 'an alert with the update (with --content-state)')
    .addOption(new Option('--stale-date <when>', 'stale-date: UNIX seconds or an ISO date').argParser(unixSeconds('--stale-date')))
    .addOption(new Option('--dismissal-date <when>', 'dismissal-date for an end: UNIX seconds (0 = now) or an ISO date').argParser(unixSeconds('--dismissal-date')))
    .option('--payload <file>', "the payload JSON as APNs expects it ({\"aps\":{...}}); '-' for stdin")
    .addOption(new Option('--priority <n>', 'apns-priority: 10 (default), 5 or 1').argParser(parsePriority))
    .addOption(new Option('--expiration <when>', 'apns-expiration: 0 (default; deliver now or drop) or UNIX seconds / ISO date').argParser(unixSeconds('--expiration')));
  addChannelOptions(command);
  addTargetOptions(command);
  addAuthOptions(command);
  command.addHelpText('after', HELP);
  command.action(async (_flags: Flags, cmd: Command) => {
    context.setExitCode(await broadcast(cmd, cmd.optsWithGlobals<Flags>(), context));
  });
  return command;
}

function notificationFromFlags(flags: Flags): Notification {
  let contentState: unknown;
  try {
    contentState = JSON.parse(flags.contentState as string);
  } catch (error) {
    throw badInput('--content-state is not valid JSON', error);
  }
  if (typeof contentState !== 'object' || contentState === null || Array.isArray(contentState)) {
    throw badInput('--content-state must be a JSON object, e.g. \'{"score":"1-0"}\'');
  }
  const common = {
    contentState: contentState as Record<string, unknown>,
    ...(flags.alert === undefined ? {} : { alert: flags.alert }),
    ...(flags.staleDate === undefined ? {} : { staleDate: flags.staleDate }),
  };
  if (flags.event === 'end') return liveActivityEnd({ ...common, ...(flags.dismissalDate === undefined ? {} : { dismissalDate: flags.dismissalDate }) });
  if (flags.dismissalDate !== undefined) throw badInput('--dismissal-date goes with --event end');
  return liveActivityUpdate(common);
}

async function loadBroadcast(flags: Flags, context: CliContext): Promise<Notification | RawPayload> {
  const fromFlags = flags.contentState !== undefined;
  if (fromFlags && flags.payload !== undefined) throw badInput('give either --content-state (and friends) or --payload, not both');
  if (fromFlags) return notificationFromFlags(flags);
  for (const [flag, value] of [['--event', flags.event], ['--alert', flags.alert], ['--stale-date', flags.staleDate], ['--dismissal-date', flags.dismissalDate]] as const) {
    if (value !== undefined) throw badInput(`${flag} needs --content-state (or put it in the --payload JSON)`);
  }
  return loadNotification({ topic: flags.bundleId, ...(flags.payload === undefined ? {} : { payload: flags.payload }) }, context.io, true);
}

async function broadcast(command: Command, flags: Flags, context: CliContext): Promise<ExitCode> {
  const { stdout, stderr } = context.io;
  const notification = await loadBroadcast(flags, context);
  const target = await openTarget(command, flags, stderr);
  if (flags.verbose === true) stderr.write(`broadcasting via ${target.description}\n`);
  return runChannelCall(target, context.io, flags.json === true, async () => {
    const result = await target.client.broadcast(flags.channel.trim(), notification, {
      bundleId: flags.bundleId,
      ...(flags.priority === undefined ? {} : { priority: flags.priority }),
      ...(flags.expiration === undefined ? {} : { expiration: flags.expiration }),
    });
    stdout.write(flags.json === true ? `${JSON.stringify({ status: 200, ...result })}\n` : `${result.requestId ?? ''}\n`);
  });
}
