/**
 * How `pushwire send --env mock` finds a running `pushwire mock`: the mock
 * writes a small JSON file (origin, CA path, signing key ids and key path;
 * never the key itself) and removes it when it stops.
 *
 * The file says which server to send to and which CA to trust, so it is
 * only ever read from a directory private to the user: a file planted by
 * someone else (say in shared /tmp) must never redirect the CLI.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { badInput } from './exit-codes.js';
import { fileErrorReason } from './files.js';

/** What a running mock server publishes. */
export interface MockState {
  readonly origin: string;
  /** PEM file of the CA that signed the mock's certificate. */
  readonly caPath: string;
  readonly keyId: string;
  readonly teamId: string;
  /** The mock's test signing key (.p8), mode 0600. */
  readonly keyPath: string;
  readonly pid: number;
}

/** This user's uid, or undefined where there are none (Windows: no mode bits to check either). */
function currentUid(): number | undefined {
  return process.getuid?.();
}

/**
 * The per-user directory of the state file: `$XDG_RUNTIME_DIR/pushwire`
 * (already private to the user on Linux), else `pushwire-<uid>` in the
 * temp directory.
 */
export function mockStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime !== undefined && isAbsolute(runtime)) return join(runtime, 'pushwire');
  return join(tmpdir(), `pushwire-${currentUid() ?? userInfo().username}`);
}

/** `PUSHWIRE_MOCK_STATE`, or `mock.json` in {@link mockStateDir}. */
export function mockStatePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.PUSHWIRE_MOCK_STATE ?? join(mockStateDir(env), 'mock.json');
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/** Why `stats` is not safe to trust for this user, or undefined when it is. */
function unsafeBecause(stats: Stats, uid: number): string | undefined {
  if (stats.uid !== uid) return `is owned by uid ${stats.uid}, not by you (uid ${uid})`;
  // Anyone who can write the file, or replace it in its directory, could point the CLI elsewhere.
  if ((stats.mode & 0o022) !== 0) return `is writable by other users (mode ${octal(stats.mode)})`;
  return undefined;
}

/** Starts the messages of readers; `pushwire mock` (the writer) uses its own. */
const READING = '--env mock';

/**
 * Checks that `stats` (of `path`) is owned by this user and not writable
 * by others.
 * @throws {CliError} bad input naming `path` and what is wrong with it.
 */
function assertPrivate(stats: Stats, path: string, what: string, who = READING): void {
  const uid = currentUid();
  if (uid === undefined) return;
  const why = unsafeBecause(stats, uid);
  if (why !== undefined) {
    throw badInput(`${who}: refusing ${what}: ${path} ${why}; only files and directories of your own that no one else can write are trusted`);
  }
}

/** {@link assertPrivate} for the directory at `dir`. */
function assertPrivateDir(dir: string, what: string, who = READING): void {
  let stats: Stats;
  try {
    stats = statSync(dir);
  } catch (error) {
    throw badInput(`${who}: cannot check the directory of ${what} ${dir}: ${fileErrorReason(error)}`, error);
  }
  assertPrivate(stats, dir, what, who);
}

/**
 * Reads the file at `path` only if it and its directory are private to
 * this user. The file is checked through the descriptor it is read from,
 * so it cannot be swapped between the check and the read.
 * @throws {CliError} bad input when the file or its directory is not private, or unreadable
 *   (`missing` when it does not exist).
 */
function readPrivateFile(path: string, what: string, missing = `--env mock: cannot read ${what} ${path}: no such file`): Buffer {
  let real: string;
  try {
    real = realpathSync(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw badInput(code === 'ENOENT' ? missing : `--env mock: cannot read ${what} ${path}: ${fileErrorReason(error)}`, error);
  }
  assertPrivateDir(dirname(real), what);
  let fd: number;
  try {
    fd = openSync(real, 'r');
  } catch (error) {
    throw badInput(`--env mock: cannot read ${what} ${path}: ${fileErrorReason(error)}`, error);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw badInput(`--env mock: refusing ${what}: ${path} is not a regular file`);
    assertPrivate(stats, path, what);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Makes sure the state file can be written where only this user can
 * change it: creates the per-user directory (0700) when it is the one in
 * use, and checks the directory otherwise.
 * @throws {CliError} bad input when the directory belongs to someone else or others can write it.
 */
function preparePrivateDir(path: string, env: NodeJS.ProcessEnv): void {
  const dir = dirname(path);
  if (env.PUSHWIRE_MOCK_STATE === undefined && dir === mockStateDir(env)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  assertPrivateDir(dir, 'the mock state', 'pushwire mock');
}

/** Publishes `state` (mode 0600) in a directory private to this user. */
export async function writeMockState(state: MockState, path = mockStatePath(), env: NodeJS.ProcessEnv = process.env): Promise<void> {
  preparePrivateDir(path, env);
  await writeFile(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  // `mode` applies only to a new file; a leftover one keeps its bits otherwise.
  await chmod(path, 0o600);
}

/** Removes the state file if it still describes this process's mock. */
export async function removeMockState(path = mockStatePath()): Promise<void> {
  try {
    const state = JSON.parse(await readFile(path, 'utf8')) as Partial<MockState>;
    if (state.pid !== process.pid) return;
  } catch {
    return;
  }
  await rm(path, { force: true });
}

/** True when `pid` is a live process of this user (another user's pid cannot be our mock). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when `value` has every field of a {@link MockState}. */
function isMockState(value: unknown): value is MockState {
  const state = value as Partial<Record<keyof MockState, unknown>> | null;
  return (
    typeof state === 'object' &&
    state !== null &&
    ['origin', 'caPath', 'keyId', 'teamId', 'keyPath'].every((key) => typeof state[key as keyof MockState] === 'string') &&
    typeof state.pid === 'number' &&
    Number.isSafeInteger(state.pid) &&
    state.pid > 0
  );
}

/** A running mock's state with the CA and key it names, all read from files private to this user. */
export interface TrustedMock extends MockState {
  /** The CA certificate (PEM) to trust for the mock's origin. */
  readonly ca: Buffer;
  /** The mock's test signing key (PEM). */
  readonly key: string;
}

/**
 * The running mock's state, read only from a file and directory private to
 * this user; the CA and key files it names must be private too.
 * @throws {CliError} bad input when no mock is running or the state is not trustworthy.
 */
export function readMockState(path = mockStatePath()): TrustedMock {
  const text = readPrivateFile(path, 'the mock state', `--env mock: no running mock server found (${path}); start one with \`pushwire mock\``).toString('utf8');
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch {
    state = undefined;
  }
  if (!isMockState(state) || !alive(state.pid)) {
    throw badInput(`--env mock: the mock server recorded in ${path} is not running; start one with \`pushwire mock\``);
  }
  const ca = readPrivateFile(state.caPath, 'the mock CA');
  const key = readPrivateFile(state.keyPath, 'the mock key').toString('utf8');
  return { ...state, ca, key };
}
