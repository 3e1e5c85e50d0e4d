import type { TargetInfo } from '../types.js';

/** A target server running in its own process. */
export interface RunningTarget {
  readonly info: TargetInfo;
  /** What is serving (`nginx version: nginx/1.22.1`, `@pushwire/mock-server fast mode`). */
  readonly description: string;
  /** Undefined while the server runs; how it ended (exit code, stderr tail) once it died. */
  death(): string | undefined;
  /**
   * The server's access log so far, one line per request, when it keeps one (nginx
   * under `--server-count`; the bench's nginx runs without it otherwise, for speed).
   */
  readonly requestLog?: () => string;
  /**
   * User + system CPU of the server's processes so far, in microseconds (from `/proc`);
   * `undefined` where that cannot be read.
   */
  readonly cpuUs?: () => number | undefined;
  /** Stops the server process this bench started, and waits for it to exit. */
  stop(): Promise<void>;
}

/** Returned instead of a target when it cannot run here, with the reason to print. */
export interface SkippedTarget {
  readonly skipped: string;
}
