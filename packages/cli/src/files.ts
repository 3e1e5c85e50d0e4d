/**
 * Reading user-named files with one-line, content-free error messages.
 */
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { fileErrorReason } from '@pushwire/api';
import { badInput } from './exit-codes.js';

/** A short, content-free reason for a failed file operation: the api's, so both word them the same. */
export { fileErrorReason };

/**
 * Reads the file named by `flag`.
 * @throws {CliError} bad input naming the flag and path (never the content).
 */
export async function readNamedFile(flag: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw badInput(`cannot read ${flag} '${path}': ${fileErrorReason(error)}`, error);
  }
}

/** A secret file's bytes and the permission bits of the file they were read from. */
export interface SecretFile {
  readonly bytes: Buffer;
  readonly mode: number;
}

/**
 * Reads the secret file (private key, PKCS#12 bundle) named by `flag`, with
 * its mode taken from the same open file, so it describes what was read.
 * @throws {CliError} bad input naming the flag and path (never the content).
 */
export async function readSecretFile(flag: string, path: string): Promise<SecretFile> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const { mode } = await handle.stat();
    return { bytes: await handle.readFile(), mode };
  } catch (error) {
    throw badInput(`cannot read ${flag} '${path}': ${fileErrorReason(error)}`, error);
  } finally {
    await handle?.close();
  }
}

/**
 * One warning line (with its newline) when other users may read or change
 * a secret file, or undefined. Names the flag, path and mode, never the
 * content. Windows has no such mode bits.
 */
export function exposedSecretWarning(flag: string, path: string, mode: number): string | undefined {
  if (process.platform === 'win32' || (mode & 0o077) === 0) return undefined;
  const how = (mode & 0o044) !== 0 ? 'readable by' : 'open to';
  return `warning: ${flag} '${path}' is ${how} other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); chmod 600 it\n`;
}
