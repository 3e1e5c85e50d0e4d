/**
 * Credentials from flags or environment variables: a provider-token key
 * (`--key-file --key-id --team-id`, or the key's contents in `PUSHWIRE_KEY`),
 * a certificate and key (`--cert --cert-key`), or a PKCS#12 bundle
 * (`--pfx --passphrase`).
 *
 * Secrets are never printed: errors name the flag and the file, never
 * what is inside, and {@link describeAuth} shows only public identifiers.
 */
import { createPrivateKey } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { Option, type Command } from 'commander';
import type { Auth } from '@pushwire/api';
import { badInput } from './exit-codes.js';
import { exposedSecretWarning, readNamedFile, readSecretFile } from './files.js';

/** The auth flags as commander parses them (each may also come from its environment variable). */
export interface AuthFlags {
  keyFile?: string;
  keyId?: string;
  teamId?: string;
  cert?: string;
  certKey?: string;
  pfx?: string;
  passphrase?: string;
}

/**
 * The environment variable holding the provider-token key itself (the
 * .p8 file's contents), for CI secrets and containers where writing a key
 * file is awkward. Environment-only on purpose: a key on the command line
 * would show in `ps` and shell history.
 */
export const KEY_ENV = 'PUSHWIRE_KEY';

/** Flag → environment variable. */
export const AUTH_ENV = {
  keyFile: 'PUSHWIRE_KEY_FILE',
  keyId: 'PUSHWIRE_KEY_ID',
  teamId: 'PUSHWIRE_TEAM_ID',
  cert: 'PUSHWIRE_CERT',
  certKey: 'PUSHWIRE_CERT_KEY',
  pfx: 'PUSHWIRE_PFX',
  passphrase: 'PUSHWIRE_PASSPHRASE',
} as const satisfies Record<keyof AuthFlags, string>;

/** Adds the auth flags (with their environment variables) to `command`. */
export function addAuthOptions(command: Command): Command {
  return command
    .addOption(new Option('--key-file <path>', `provider-token signing key (AuthKey_XXXXXXXXXX.p8); or the key's contents in ${KEY_ENV}`).env(AUTH_ENV.keyFile))
    .addOption(new Option('--key-id <id>', 'key id of --key-file (10 characters)').env(AUTH_ENV.keyId))
    .addOption(new Option('--team-id <id>', 'Apple developer team id (10 characters)').env(AUTH_ENV.teamId))
    .addOption(new Option('--cert <path>', 'client certificate (PEM)').env(AUTH_ENV.cert))
    .addOption(new Option('--cert-key <path>', 'private key of --cert (PEM)').env(AUTH_ENV.certKey))
    .addOption(new Option('--pfx <path>', 'client certificate and key as PKCS#12 (.p12/.pfx)').env(AUTH_ENV.pfx))
    .addOption(new Option('--passphrase <secret>', 'passphrase of --pfx or --cert-key (prefer the env variable)').env(AUTH_ENV.passphrase));
}

type Kind = 'token' | 'cert' | 'pfx';
const PRIMARY: Record<Kind, keyof AuthFlags> = { token: 'keyFile', cert: 'cert', pfx: 'pfx' };

function flagName(key: keyof AuthFlags): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** `--key-file` (or `PUSHWIRE_KEY_FILE`), depending on where the value came from. */
function nameOf(command: Command, key: keyof AuthFlags): string {
  return command.getOptionValueSource(key) === 'env' ? AUTH_ENV[key] : flagName(key);
}

/**
 * Which kind of credential the user chose. Flags win over environment
 * variables, so `--cert` works with `PUSHWIRE_KEY_FILE` exported.
 */
function chooseKind(command: Command, flags: AuthFlags, envKey: string | undefined): Kind | undefined {
  const given = (Object.keys(PRIMARY) as Kind[]).filter((k) => flags[PRIMARY[k]] !== undefined || (k === 'token' && envKey !== undefined));
  const fromCli = given.filter((k) => command.getOptionValueSource(PRIMARY[k]) === 'cli');
  const candidates = fromCli.length > 0 ? fromCli : given;
  if (candidates.length > 1) {
    const names = candidates.map((k) => (k === 'token' && flags.keyFile === undefined ? KEY_ENV : nameOf(command, PRIMARY[k])));
    throw badInput(`choose one credential: ${names.join(', ')} were all given`);
  }
  return candidates[0];
}

function required(flags: AuthFlags, key: keyof AuthFlags, why: string): string {
  const value = flags[key];
  if (value === undefined || value.trim() === '') throw badInput(`${flagName(key)} (or ${AUTH_ENV[key]}) is required ${why}`);
  return value.trim();
}

/** Receives one warning line (newline included), e.g. stderr's `write`. */
export type Warn = (line: string) => void;

/**
 * Warns once, after the file proved to be a usable key, when other users
 * can read it: the key works, but it is no longer only the owner's.
 */
function warnIfExposed(warn: Warn, flag: string, path: string, mode: number): void {
  const warning = exposedSecretWarning(flag, path, mode);
  if (warning !== undefined) warn(warning);
}

/**
 * Loads the credential the flags name, reading and checking its files.
 * Resolves `undefined` when no credential was given. A key or PKCS#12 file
 * that other users can read gets one warning through `warn`.
 * @throws {CliError} bad input: missing companion flag, unreadable file, not a key.
 */
export async function loadAuth(command: Command, flags: AuthFlags, warn: Warn, env: NodeJS.ProcessEnv = process.env): Promise<Auth | undefined> {
  const envValue = env[KEY_ENV];
  const envKey = envValue === undefined || envValue.trim() === '' ? undefined : envValue;
  const kind = chooseKind(command, flags, envKey);
  if (kind === undefined) return undefined;
  if (kind === 'token') {
    // --key-file on the command line wins; PUSHWIRE_KEY and PUSHWIRE_KEY_FILE together are ambiguous.
    const fromFile = flags.keyFile !== undefined && (envKey === undefined || command.getOptionValueSource('keyFile') === 'cli');
    if (!fromFile && flags.keyFile !== undefined) throw badInput(`choose one key: ${KEY_ENV} and ${AUTH_ENV.keyFile} were both given`);
    const why = fromFile ? 'with --key-file' : `with ${KEY_ENV}`;
    const keyId = required(flags, 'keyId', why);
    const teamId = required(flags, 'teamId', why);
    if (!fromFile) return { token: { keyId, teamId, key: envKeyOf(envKey!) } };
    const name = nameOf(command, 'keyFile');
    const file = await readSecretFile(name, flags.keyFile!);
    const key = checkedKey(file.bytes.toString('utf8'), `${name} '${flags.keyFile}'`);
    warnIfExposed(warn, name, flags.keyFile!, file.mode);
    return { token: { keyId, teamId, key } };
  }
  const passphrase = flags.passphrase;
  const withPass = passphrase === undefined ? {} : { passphrase };
  if (kind === 'cert') {
    const certName = nameOf(command, 'cert');
    const keyPath = required(flags, 'certKey', 'with --cert');
    const keyName = nameOf(command, 'certKey');
    const cert = await readNamedFile(certName, flags.cert!);
    const { bytes: key, mode } = await readSecretFile(keyName, keyPath);
    try {
      createSecureContext({ cert, key, ...withPass });
    } catch {
      throw badInput(`${certName} '${flags.cert}' and ${keyName} '${keyPath}' do not form a usable PEM certificate and key (wrong passphrase?)`);
    }
    // Only the key is secret; the certificate is public.
    warnIfExposed(warn, keyName, keyPath, mode);
    return { cert: cert.toString('utf8'), key: key.toString('utf8'), ...withPass };
  }
  const pfxName = nameOf(command, 'pfx');
  const { bytes: pfx, mode } = await readSecretFile(pfxName, flags.pfx!);
  try {
    createSecureContext({ pfx, ...withPass });
  } catch {
    throw badInput(`${pfxName} '${flags.pfx}' is not a usable PKCS#12 bundle (wrong or missing --passphrase?)`);
  }
  warnIfExposed(warn, pfxName, flags.pfx!, mode);
  return { pfx, ...withPass };
}

/**
 * `key` if it is an ES256 (P-256) private key in PEM form.
 * @throws {CliError} bad input naming `what` (never the key).
 */
function checkedKey(key: string, what: string): string {
  try {
    const parsed = createPrivateKey(key);
    if (parsed.asymmetricKeyType !== 'ec') throw new Error('not an EC key');
  } catch {
    throw badInput(`${what} is not an ES256 (P-256) private key in PEM (.p8) form`);
  }
  return key;
}

/**
 * The key in `PUSHWIRE_KEY`: the .p8 file's contents, as is or with its
 * line breaks written as `\n` (how many CI secret stores keep one line).
 */
function envKeyOf(value: string): string {
  const key = !value.includes('\n') && value.includes('\\n') ? value.replace(/\\n/g, '\n') : value;
  return checkedKey(key.trim(), KEY_ENV);
}

/** A description of `auth` safe to print: the kind and public ids only. */
export function describeAuth(auth: Auth): string {
  if ('token' in auth) return `provider token (key id ${auth.token.keyId}, team id ${auth.token.teamId})`;
  if ('pfx' in auth) return 'client certificate (PKCS#12)';
  return 'client certificate (PEM)';
}
