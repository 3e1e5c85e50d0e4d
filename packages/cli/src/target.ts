/**
 * Where to send (`--env production|development|mock|<origin>`, `--ca`) and
 * the client that sends there, built from the auth flags.
 */
import { Option, type Command } from 'commander';
import { DEVELOPMENT_HOST, PRODUCTION_HOST, Server, type Auth, type Client, type ServerSpec } from '@pushwire/api';
import { describeAuth, loadAuth, type AuthFlags } from './auth-flags.js';
import type { OutStream } from './context.js';
import { badInput } from './exit-codes.js';
import { readNamedFile } from './files.js';
import { readMockState } from './mock-state.js';

/** Target flags as commander parses them. */
export interface TargetFlags extends AuthFlags {
  env: string;
  ca?: string;
  connections?: number;
  timeout?: number;
  /** `channels` and `broadcast` only: where channel management and broadcasts go. */
  channelOrigin?: string;
  broadcastOrigin?: string;
}

/** Parses a positive integer flag value. */
export function positiveInt(flag: string, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max) {
      throw badInput(`${flag} expects an integer from 1 to ${max}, got '${value}'`);
    }
    return n;
  };
}

/** A flag that was renamed: refused, naming its new name (`detail` says more). */
export function renamed(flag: string, to: string, detail = ''): () => never {
  return () => {
    throw badInput(`${flag} was renamed to ${to}${detail}`);
  };
}

/** Adds `--env`, `--ca`, `--connections` and `--timeout` to `command`. */
export function addTargetOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--env <env>', 'production, development, mock (a running `pushwire mock`) or an https:// origin')
        .env('PUSHWIRE_ENV')
        .default('development'),
    )
    .addOption(new Option('--ca <path>', 'extra CA certificate to trust (PEM); TLS verification is never disabled').env('PUSHWIRE_CA'))
    .addOption(new Option('--connections <n>', 'HTTP/2 connections to open (default 2)').argParser(positiveInt('--connections', 64)))
    .addOption(new Option('--timeout <ms>', 'ms one send may take, retries included (default 10000)').argParser(positiveInt('--timeout')));
}

/** A connected-on-demand client plus a printable description (no secrets). */
export interface Target {
  readonly client: Client;
  /** e.g. `https://api.sandbox.push.apple.com with provider token (key id ABC, team id DEF)`. */
  readonly description: string;
}

function originOf(env: string): string {
  let url: URL;
  try {
    url = new URL(env);
  } catch {
    throw badInput(`--env expects production, development, mock or an https:// origin, got '${env}'`);
  }
  if (url.protocol !== 'https:') throw badInput(`--env origin must use https://, got '${url.protocol}'`);
  return url.origin;
}

/** Where and how to send, as a plain `ServerSpec` (for `Server.from`, or a queue worker's registry). */
export interface TargetSpec {
  readonly spec: ServerSpec;
  /** e.g. `https://api.sandbox.push.apple.com with provider token (key id ABC, team id DEF)`. */
  readonly description: string;
}

/**
 * The server the flags describe. With `--env mock` the running mock's
 * origin, CA and test key are used unless auth flags are given. Warnings
 * (a key file other users can read) go to `stderr`.
 * @throws {CliError} bad input (unknown env, missing credentials, unreadable files).
 */
export async function resolveTarget(command: Command, flags: TargetFlags, stderr: OutStream): Promise<TargetSpec> {
  let auth: Auth | undefined = await loadAuth(command, flags, (line) => void stderr.write(line));
  const cas: Buffer[] = [];
  if (flags.ca !== undefined) cas.push(await readNamedFile(command.getOptionValueSource('ca') === 'env' ? 'PUSHWIRE_CA' : '--ca', flags.ca));
  const env = flags.env.trim();
  let origin: string | undefined;
  if (env === 'mock') {
    const mock = readMockState();
    origin = mock.origin;
    cas.push(mock.ca);
    auth ??= { token: { keyId: mock.keyId, teamId: mock.teamId, key: mock.key } };
  } else if (env !== 'production' && env !== 'development') {
    origin = originOf(env);
  }
  if (auth === undefined) {
    throw badInput('no credentials: give --key-file/--key-id/--team-id, --cert/--cert-key or --pfx (or their PUSHWIRE_* variables)');
  }
  const options = {
    ...(cas.length === 0 ? {} : { ca: cas }),
    ...(flags.channelOrigin === undefined ? {} : { channelOrigin: flags.channelOrigin }),
    ...(flags.broadcastOrigin === undefined ? {} : { broadcastOrigin: flags.broadcastOrigin }),
    ...(flags.connections === undefined ? {} : { connections: flags.connections }),
    ...(flags.timeout === undefined ? {} : { timeout: flags.timeout }),
  };
  const spec: ServerSpec =
    origin !== undefined ? { origin, auth, ...options } : { environment: env === 'production' ? 'production' : 'development', auth, ...options };
  const where = origin ?? (env === 'production' ? `https://${PRODUCTION_HOST}` : `https://${DEVELOPMENT_HOST}`);
  return { spec, description: `${where} with ${describeAuth(auth)}` };
}

/**
 * Builds the client for `flags` (see {@link resolveTarget}).
 * @throws {CliError} bad input (unknown env, missing credentials, unreadable files).
 */
export async function openTarget(command: Command, flags: TargetFlags, stderr: OutStream): Promise<Target> {
  const { spec, description } = await resolveTarget(command, flags, stderr);
  const server = Server.from(spec);
  // The CLI reports 410s in its own output and never reads client.unregistered():
  // no buffer of them (10,000 events by default) in a long bulk run.
  const client = await server.createClient({ feedbackBuffer: 0 });
  return { client, description };
}
