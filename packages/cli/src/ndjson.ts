/**
 * Writes one NDJSON line per token outcome:
 * `{"token","status":200,"apnsId"}`, `{"token","status":410,"reason","timestamp"}`,
 * or, when APNs never answered, `{"token","status":null,"error","retryable"}`.
 *
 * Lines are batched into chunks to keep a 100k-token run cheap, and
 * {@link NdjsonWriter.ready} lets the token source wait while the
 * destination drains, so memory stays flat however slow the output is.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { TokenOutcome } from '@pushwire/api';
import { errorLabel } from './summary.js';

const CHUNK = 64 * 1024;

/** One outcome as its NDJSON line (without the newline). */
export function outcomeLine(outcome: TokenOutcome): string {
  switch (outcome.kind) {
    case 'sent':
      return JSON.stringify({ token: outcome.token, status: 200, apnsId: outcome.apnsId ?? null });
    case 'failed':
      return JSON.stringify(
        outcome.timestamp === undefined
          ? { token: outcome.token, status: outcome.status, reason: outcome.reason }
          : { token: outcome.token, status: outcome.status, reason: outcome.reason, timestamp: outcome.timestamp },
      );
    case 'error': {
      const retryable = (outcome.error as { retryable?: unknown }).retryable === true;
      return JSON.stringify({ token: outcome.token, status: null, error: errorLabel(outcome.error), retryable });
    }
  }
}

/** Buffered NDJSON output with back-pressure. */
export class NdjsonWriter {
  readonly #out: Writable;
  #buffer = '';
  #failed: Error | undefined;

  constructor(out: Writable) {
    this.#out = out;
    out.on('error', (error) => {
      this.#failed ??= error;
    });
  }

  /** The output's error, if writing failed (e.g. EPIPE, ENOSPC). */
  get failure(): Error | undefined {
    return this.#failed;
  }

  /** Appends one outcome. */
  write(outcome: TokenOutcome): void {
    this.#buffer += `${outcomeLine(outcome)}\n`;
    if (this.#buffer.length >= CHUNK) this.#flush();
  }

  /**
   * Resolves when the destination can take more; the token source awaits
   * this so a slow disk or pipe slows the send instead of filling memory.
   * Returns `undefined` (nothing to await) in the common case.
   */
  ready(): Promise<void> | undefined {
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    if (!this.#out.writableNeedDrain) return undefined;
    return once(this.#out, 'drain').then(() => undefined);
  }

  /** Writes what is buffered; `end` also ends the stream (files, not stdout). */
  async close(end: boolean): Promise<void> {
    this.#flush();
    if (this.#failed !== undefined) throw this.#failed;
    if (end) {
      await new Promise<void>((resolve, reject) => {
        this.#out.once('error', reject);
        this.#out.end(() => resolve());
      });
    } else if (this.#out.writableNeedDrain) {
      await once(this.#out, 'drain');
    }
  }

  #flush(): void {
    if (this.#buffer === '') return;
    this.#out.write(this.#buffer);
    this.#buffer = '';
  }
}
