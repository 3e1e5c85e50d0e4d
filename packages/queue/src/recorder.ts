/**
 * `OutcomeRecorder`: collects a job's per-token outcomes as `sendMany`
 * reports them and writes them to Redis in batches (one `record` script
 * call per batch), at most one batch in flight. Whatever is not yet written
 * when the process dies is below the part's mark without an outcome, so
 * the next attempt resends it flagged as a possible duplicate.
 */
import type { Redis } from 'ioredis';
import { encodeEntry, type Entry } from './records.js';
import { recordOutcomes, type RecordArgs, type StreamKeys } from './scripts.js';
import type { CampaignKeys } from './keys.js';

/** Options of {@link OutcomeRecorder}. */
export interface RecorderOptions {
  readonly redis: Redis;
  readonly keys: CampaignKeys;
  readonly streams: StreamKeys;
  readonly campaignId: string;
  readonly topic: string;
  readonly maxStreamLength: number;
  /** A batch is written once this many outcomes wait. */
  readonly batchSize: number;
  /** …or this many ms after the first of them arrived. */
  readonly interval: number;
  /** Called after each batch is written, with the tokens recorded so far by this recorder. */
  readonly onFlush?: (written: number) => void;
}

/** Buffers outcomes and writes them in batches; see the module comment. */
export class OutcomeRecorder {
  readonly #options: RecorderOptions;
  #pending: RecordArgs[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #failure: unknown;
  #written = 0;
  #retries = 0;
  #disabled = false;

  constructor(options: RecorderOptions) {
    this.#options = options;
  }

  /** Entries written so far that were `retry` entries (the job must run again for them). */
  get retries(): number {
    return this.#retries;
  }

  /** Queues one outcome; a full batch is written at once, a partial one after `interval` ms. */
  add(entry: Entry): void {
    if (this.#disabled) return;
    this.#pending.push({
      token: entry.token,
      value: encodeEntry(entry),
      kind: entry.kind,
      retry: entry.retry,
      duplicate: entry.duplicate,
      status: entry.status === undefined ? '' : String(entry.status),
      reason: entry.reason ?? '',
      timestamp: entry.timestamp === undefined ? '' : String(entry.timestamp),
      error: entry.error ?? '',
    });
    if (entry.retry) this.#retries++;
    if (this.#pending.length >= this.#options.batchSize) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), this.#options.interval);
  }

  /**
   * Drops whatever is not written and ignores later outcomes: the attempt
   * lost its job, and the attempt that owns it now decides.
   */
  disable(): void {
    this.#disabled = true;
    this.#pending = [];
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Writes what is pending and waits for every batch. @throws the first write error. */
  async close(): Promise<void> {
    this.#flush();
    await this.#flushing;
    if (this.#failure !== undefined) throw this.#failure;
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    // One batch in flight at a time; outcomes arriving meanwhile make the next, larger batch.
    this.#flushing = this.#flushing.then(() => this.#write());
  }

  async #write(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0 || this.#failure !== undefined || this.#disabled) return;
    const { redis, keys, streams, campaignId, topic, maxStreamLength } = this.#options;
    try {
      await recordOutcomes(redis, keys, streams, { campaignId, topic, maxStreamLength }, batch);
      this.#written += batch.length;
      this.#options.onFlush?.(this.#written);
    } catch (error) {
      this.#failure ??= error;
    }
  }
}
