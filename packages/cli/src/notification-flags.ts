/**
 * The flags that describe one notification (shared by `send` and `bulk`):
 * what to send (`--alert`, `--payload`, or JSON on stdin) and its headers
 * (`--topic`, `--push-type`, `--priority`, `--expiration`, `--collapse-id`).
 */
import { Option, type Command } from 'commander';
import type { Notification, RawPayload, SendOptions } from '@pushwire/api';
import { PUSH_TYPES, type PushType } from '@pushwire/models';
import type { CliIo } from './context.js';
import { badInput } from './exit-codes.js';
import { readNamedFile } from './files.js';
import { fromApnsJson } from './payload.js';

/** Notification flags as commander parses them. */
export interface NotificationFlags {
  topic: string;
  alert?: string;
  payload?: string;
  pushType?: PushType;
  priority?: 10 | 5 | 1;
  expiration?: number;
  collapseId?: string;
}

function parsePriority(value: string): 10 | 5 | 1 {
  const n = Number(value);
  if (n === 10 || n === 5 || n === 1) return n;
  throw badInput(`--priority expects 10 (immediately), 5 (power-aware) or 1 (never wake), got '${value}'`);
}

/** UNIX seconds, `0` (one attempt, not stored), or an ISO 8601 date. */
function parseExpiration(value: string): number {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && Number.isFinite(ms)) return Math.floor(ms / 1000);
  throw badInput(`--expiration expects UNIX seconds, 0 or an ISO 8601 date, got '${value}'`);
}

/** Adds the notification flags; `payloadHelp` says where the payload may come from. */
export function addNotificationOptions(command: Command, payloadHelp: string): Command {
  return command
    .requiredOption('--topic <topic>', "the app's bundle id, with the push type's suffix (e.g. com.example.app.voip)")
    .option('--alert <text>', 'send a simple alert with this text')
    .option('--payload <file>', payloadHelp)
    .addOption(new Option('--push-type <type>', 'apns-push-type (default alert)').choices(PUSH_TYPES))
    .addOption(new Option('--priority <n>', 'apns-priority: 10, 5 or 1').argParser(parsePriority))
    .addOption(new Option('--expiration <when>', 'apns-expiration: UNIX seconds, 0 (deliver now or never) or an ISO date').argParser(parseExpiration))
    .option('--collapse-id <id>', 'apns-collapse-id (at most 64 bytes)');
}

/** The send options (headers) of the flags. */
export function sendOptionsOf(flags: NotificationFlags): SendOptions & { topic: string } {
  return {
    topic: flags.topic,
    ...(flags.pushType === undefined ? {} : { pushType: flags.pushType }),
    ...(flags.priority === undefined ? {} : { priority: flags.priority }),
    ...(flags.expiration === undefined ? {} : { expiration: flags.expiration }),
    ...(flags.collapseId === undefined ? {} : { collapseId: flags.collapseId }),
  };
}

async function readStdin(io: CliIo): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

/**
 * The notification the flags describe: `--alert` text, a `--payload` file
 * (`-` for stdin), or JSON piped on stdin when `allowStdin` and stdin is
 * not a terminal.
 * @throws {CliError} bad input: none or both given, unreadable file, bad JSON.
 */
export async function loadNotification(flags: NotificationFlags, io: CliIo, allowStdin: boolean): Promise<Notification | RawPayload> {
  if (flags.alert !== undefined && flags.payload !== undefined) throw badInput('give either --alert or --payload, not both');
  if (flags.alert !== undefined) return { alert: flags.alert };
  let source: string;
  let bytes: Buffer;
  if (flags.payload !== undefined && flags.payload !== '-') {
    source = `--payload '${flags.payload}'`;
    bytes = await readNamedFile('--payload', flags.payload);
  } else if (flags.payload === '-' || (allowStdin && io.stdin.isTTY !== true)) {
    source = 'the payload on stdin';
    bytes = await readStdin(io);
    if (bytes.length === 0) throw badInput('no payload: stdin was empty; give --alert, --payload <file> or pipe JSON on stdin');
  } else {
    throw badInput(allowStdin ? 'no payload: give --alert, --payload <file> or pipe JSON on stdin' : 'no payload: give --alert or --payload <file>');
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw badInput(`${source} is not valid JSON`, error);
  }
  return fromApnsJson(json, source);
}
