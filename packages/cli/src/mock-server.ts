/**
 * `@pushwire/mock-server` is an optional peer dependency of the CLI: only
 * `pushwire mock` and `pushwire demo` need it (and its certificate
 * library), so it is imported on demand, and a missing package is bad
 * input naming the package to install rather than a stack trace.
 */
import type * as MockServerModule from '@pushwire/mock-server';
import { CliError, ExitCode } from './exit-codes.js';

/** What `@pushwire/mock-server` exports. */
export type MockServerExports = typeof MockServerModule;

const PACKAGE = '@pushwire/mock-server';

/** The one-line message for a command that needs the mock server when it is not installed. */
export function mockServerMissing(command: string): string {
  return (
    `pushwire ${command} needs the optional package ${PACKAGE}, which is not installed: ` +
    `npm i ${PACKAGE} (next to @pushwire/cli; with -g if the CLI is installed globally)`
  );
}

/**
 * Imports the mock server package for `command` (`mock`, `demo`).
 * `specifier` is for tests only.
 * @throws {CliError} bad input when the package is not installed.
 */
export async function loadMockServer(command: string, specifier: string = PACKAGE): Promise<MockServerExports> {
  try {
    return (await import(specifier)) as MockServerExports;
  } catch (error) {
    // Not `instanceof Error`: a loader's error may come from another realm.
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && typeof message === 'string' && message.includes(`'${specifier}'`)) {
      throw new CliError(mockServerMissing(command), ExitCode.BadInput, { cause: error });
    }
    throw error;
  }
}
