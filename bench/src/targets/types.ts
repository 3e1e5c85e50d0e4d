import type { TargetInfo } from '../types.js';

/** A target server running in its own process. */
export interface RunningTarget {
  readonly info: TargetInfo;
  /** What is serving (`nginx version: nginx/1.22.1`, `@pushwire/mock-server fast mode`). */
  readonly description: string;
  /** Undefined while the server runs; how it ended (exit code, stderr tail) once it died. */
  death(): string | undefined;
  /** Stops the server process this bench started, and waits for it to exit. */
  stop(): Promise<void>;
}

/** Returned instead of a target when it cannot run here, with the reason to print. */
export interface SkippedTarget {
  readonly skipped: string;
}
