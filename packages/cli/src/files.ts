/**
 * Reading user-named files with one-line, content-free error messages.
 */
import { readFile } from 'node:fs/promises';
import { badInput } from './exit-codes.js';

const WHY: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  EMFILE: 'too many open files',
};

/** A short, content-free reason for a failed file operation. */
export function fileErrorReason(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return WHY[code] ?? code;
  return 'unreadable';
}

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
