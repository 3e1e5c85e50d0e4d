/**
 * What commands need from the outside world, injected so the program can
 * be driven from tests: output streams, stdin, and where to report the
 * exit code.
 */
import type { Readable, Writable } from 'node:stream';
import type { ExitCode } from './exit-codes.js';

/** A writable that may be a terminal. */
export type OutStream = Writable & { isTTY?: boolean; columns?: number };

/** The streams a command reads and writes. */
export interface CliIo {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly stdin: Readable & { isTTY?: boolean };
}

/** Shared by every command of one run. */
export interface CliContext {
  readonly io: CliIo;
  /** Records the command's exit code (the last call wins). */
  setExitCode(code: ExitCode): void;
  /**
   * Takes over SIGINT/SIGTERM and resolves on the first one, so the command
   * can stop cleanly; a second signal exits at once with code 130.
   * Commands that never call it keep Node's default (immediate exit).
   */
  interrupted(): Promise<NodeJS.Signals>;
}

/** The process's own streams. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
}

let signalled: Promise<NodeJS.Signals> | undefined;

/** The process-wide implementation of {@link CliContext.interrupted}. */
export function processInterrupted(): Promise<NodeJS.Signals> {
  signalled ??= new Promise((resolve) => {
    let seen = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (seen) process.exit(130);
      seen = true;
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return signalled;
}
