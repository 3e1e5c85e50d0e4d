/**
 * Flags shared by `pushwire channels` and `pushwire broadcast`: the app
 * (`--bundle-id`), the channel (`--channel`), the hosts
 * (`--channel-origin`, `--broadcast-origin`) and the output (`--json`).
 */
import { Option, type Command } from 'commander';
import { APNSRejection } from '@pushwire/api';
import type { CliIo } from './context.js';
import { ExitCode, badInput } from './exit-codes.js';
import type { Target } from './target.js';

/** The flags as commander parses them. */
export interface ChannelFlags {
  bundleId: string;
  channel?: string;
  channelOrigin?: string;
  broadcastOrigin?: string;
  json?: boolean;
}

/** Parses `--storage-policy`: `none` / `0` or `most-recent` / `1`. */
export function parseStoragePolicy(value: string): 0 | 1 {
  const text = value.trim().toLowerCase();
  if (text === '0' || text === 'none') return 0;
  if (text === '1' || text === 'most-recent') return 1;
  throw badInput(`--storage-policy expects none (0: no message stored) or most-recent (1: latest message kept 8 h), got '${value}'`);
}

/** Adds `--bundle-id`, the origin overrides and `--json`. */
export function addChannelOptions(command: Command): Command {
  return command
    .requiredOption('--bundle-id <id>', "the app's bundle id (no topic suffix)")
    .addOption(
      new Option('--channel-origin <url>', 'channel-management origin (default: Apple\'s api-manage-broadcast host for --env, or the --env origin)').env(
        'PUSHWIRE_CHANNEL_ORIGIN',
      ),
    )
    .addOption(new Option('--broadcast-origin <url>', 'broadcast origin (default: the --env push origin)').env('PUSHWIRE_BROADCAST_ORIGIN'))
    .option('--json', 'print the outcome as one JSON line on stdout');
}

/** Prints a rejection (stderr line; a JSON line on stdout with --json). */
export function printRejection(error: APNSRejection, io: CliIo, json: boolean): void {
  if (json) io.stdout.write(`${JSON.stringify({ status: error.status, reason: error.reason, requestId: error.requestId })}\n`);
  io.stderr.write(`rejected: ${error.status} ${error.reason}${error.requestId === undefined ? '' : ` (apns-request-id ${error.requestId})`}\n`);
}

/**
 * Runs one channel or broadcast call on `target` and closes its client: `Ok`
 * once `call` has printed its outcome, `Rejected` (printed) when APNs says no;
 * anything else propagates to the program's error handling.
 */
export async function runChannelCall(target: Target, io: CliIo, json: boolean, call: () => Promise<void>): Promise<ExitCode> {
  try {
    await call();
    return ExitCode.Ok;
  } catch (error) {
    if (!(error instanceof APNSRejection)) throw error;
    printRejection(error, io, json);
    return ExitCode.Rejected;
  } finally {
    await target.client.close({ force: true });
  }
}
