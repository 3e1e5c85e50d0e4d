/**
 * The loop `bulk` and `demo` share: tokens → `client.sendMany` with a
 * per-token callback that feeds the tally, the progress display and the
 * NDJSON writer, then the summary. The tally, not the batch, is the record.
 */
import type { Client, Notification, RawPayload, SendOptions, TokenSource } from '@pushwire/api';
import { ExitCode } from './exit-codes.js';
import type { NdjsonWriter } from './ndjson.js';
import { ProgressDisplay, type ProgressOptions } from './progress.js';
import { Tally, renderSummary } from './summary.js';

/** One bulk run. */
export interface BulkRunInput {
  readonly client: Client;
  readonly tokens: TokenSource;
  readonly notification: Notification | RawPayload;
  readonly options: SendOptions;
  /** The token count if known now; or a promise of it (e.g. a file being counted). */
  readonly total?: number | Promise<number>;
  /** Where each token's result line goes, if anywhere. */
  readonly writer?: NdjsonWriter;
  /** Progress display settings; `undefined` for none. */
  readonly progress?: ProgressOptions;
  /** Most tokens in flight (`sendMany`'s `concurrency`). */
  readonly concurrency?: number;
  /**
   * Stops pulling tokens (Ctrl-C); tokens already in flight still get their
   * answer, so every token pulled has a real outcome.
   */
  readonly signal?: AbortSignal;
}

/** What a bulk run ends with. */
export interface BulkRunResult {
  readonly tally: Tally;
  readonly elapsedMs: number;
  /** The summary table. */
  readonly summary: string;
  /** `Ok`, `Rejected` (some tokens rejected) or `Transport` (some tokens unanswered). */
  readonly exitCode: ExitCode;
}

/** `source` until `signal` aborts (checked before each token). */
function until(source: TokenSource, signal: AbortSignal): TokenSource {
  if (Symbol.asyncIterator in source) {
    return (async function* () {
      for await (const token of source) {
        if (signal.aborted) return;
        yield token;
      }
    })();
  }
  return (function* () {
    for (const token of source) {
      if (signal.aborted) return;
      yield token;
    }
  })();
}

/**
 * Sends to every token and waits for every outcome. Memory stays flat
 * however many tokens: every outcome goes through `onResult` to the tally
 * and the NDJSON writer as it arrives, and the batch keeps no per-token
 * state at all (`collect: 'none'`; its result is never read here).
 */
export async function runBulkSend(input: BulkRunInput): Promise<BulkRunResult> {
  const tally = new Tally();
  const { total, writer } = input;
  if (typeof total === 'number') tally.total = total;
  else
    total?.then(
      (n) => (tally.total = n),
      () => undefined,
    );
  const display = input.progress === undefined ? undefined : new ProgressDisplay(() => tally.snapshot(), input.progress);
  const started = performance.now();
  display?.start();
  try {
    const tokens = input.signal === undefined ? input.tokens : until(input.tokens, input.signal);
    await input.client.sendMany(tokens, input.notification, input.options, {
      collect: 'none',
      ...(input.concurrency === undefined ? {} : { concurrency: input.concurrency }),
      onResult: (outcome) => {
        tally.record(outcome);
        writer?.write(outcome);
      },
    });
  } finally {
    // A file counted slower than the send finished: show the real total.
    if (tally.total === undefined || tally.total < tally.done) tally.total = tally.done;
    display?.finish();
  }
  const elapsedMs = performance.now() - started;
  const exitCode = tally.errors > 0 ? ExitCode.Transport : tally.failed > 0 ? ExitCode.Rejected : ExitCode.Ok;
  return { tally, elapsedMs, summary: renderSummary(tally, elapsedMs), exitCode };
}
