/**
 * Loads a faults file for `pushwire mock --faults`: JSON, checked by the
 * mock server package's own validator.
 */
import type { Fault } from '@pushwire/mock-server';
import { badInput } from './exit-codes.js';
import { readNamedFile } from './files.js';
import { loadMockServer } from './mock-server.js';

/**
 * The faults in `path`.
 * @throws {CliError} bad input: unreadable file, bad JSON, or a fault the mock server does not know.
 */
export async function loadFaults(path: string): Promise<Fault[]> {
  const text = (await readNamedFile('--faults', path)).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw badInput(`--faults '${path}' is not valid JSON`, error);
  }
  const { parseFaults } = await loadMockServer('mock');
  try {
    return parseFaults(json);
  } catch (error) {
    throw badInput(`--faults '${path}': ${(error as Error).message}`, error);
  }
}
