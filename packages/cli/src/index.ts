/**
 * `@pushwire/cli`: the `pushwire` command. The executable is `dist/bin.js`;
 * this entry exports the program factory for tests and embedding.
 * @packageDocumentation
 */
export { createProgram, run, classifyError } from './program.js';
export { ExitCode, CliError, EXIT_CODES_HELP } from './exit-codes.js';
export type { ErrorCode } from './exit-codes.js';
export type { CliContext, CliIo } from './context.js';
export { ProgressDisplay } from './progress.js';
export type { ProgressOptions, ProgressSnapshot } from './progress.js';
export { Tally, renderSummary } from './summary.js';
export { outcomeLine } from './ndjson.js';
export { readTokens, countTokens } from './token-file.js';
