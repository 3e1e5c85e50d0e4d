/**
 * The process exit codes of the `pushwire` command: one per class of
 * outcome, so a shell script can tell "APNs said no" from "fix your
 * command line" from "try again later".
 */
import type { ErrorCode as ApiErrorCode } from '@pushwire/api';
import { brandError } from '@pushwire/models';

/** Exit codes, documented in `--help` and the package README. */
export const ExitCode = {
  /** Everything was accepted by APNs (or the command did what it was asked). */
  Ok: 0,
  /** An unexpected internal error (a bug): please report it. */
  Internal: 1,
  /** Bad input: unknown flag, missing or malformed value, unreadable file. Nothing was sent. */
  BadInput: 2,
  /** APNs answered and rejected the notification (for `bulk`: at least one token). */
  Rejected: 3,
  /** No answer from APNs: connection refused, TLS failure, timeout (for `bulk`: at least one token). */
  Transport: 4,
  /** Interrupted by SIGINT/SIGTERM before the work was done. */
  Interrupted: 130,
} as const;

/** One of the {@link ExitCode} values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit-code table as shown at the end of `pushwire --help` and per command. */
export const EXIT_CODES_HELP = `Exit codes:
  0    success: APNs accepted everything
  2    bad input: unknown flag, bad value, unreadable file (nothing sent)
  3    rejected by APNs (bulk: at least one token rejected)
  4    transport failure: no answer from APNs (bulk: at least one token)
  1    internal error (a bug)
  130  interrupted (Ctrl-C)`;

/**
 * An error whose message is safe and complete enough to print as one line,
 * ending the command with `exitCode`. Messages name files and flags, never
 * their contents. A command's failure, not a send's, so not an `APNSError`
 * (no `outcome`); branded like every pushwire error, so `instanceof CliError`
 * works across copies of the package.
 */
export class CliError extends Error {
  static {
    brandError(this, 'CliError');
  }

  /** Stable identifier to switch on. */
  readonly code = 'ERR_PUSHWIRE_CLI';
  /** The process exit code the command ends with. */
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/**
 * Every `code` the command line can end with: `@pushwire/api`'s (what a
 * send raises) and {@link CliError}'s.
 */
export type ErrorCode = ApiErrorCode | CliError['code'];

/** A {@link CliError} for bad input (exit code {@link ExitCode.BadInput}). */
export function badInput(message: string, cause?: unknown): CliError {
  return new CliError(message, ExitCode.BadInput, cause === undefined ? undefined : { cause });
}
