/**
 * One attempt of one job: find where earlier attempts stopped, send what is
 * left with `sendMany`, record each outcome as it arrives.
 *
 * Per token of the part, at the start of the attempt:
 * - a final outcome in Redis: skipped (never sent again);
 * - below the part's mark without an outcome: it may have been written by
 *   an attempt that died, so it is resent (same `apns-id`, same collapse
 *   id: both derive from the campaign id) and flagged `possibleDuplicate`;
 * - a `retry` entry (a retryable outcome of an earlier attempt): resent,
 *   flagged only if that entry was;
 * - at or above the mark: never written; the mark is raised (`claim`,
 *   fenced by the job lock) before it is sent.
 */
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Client } from '@pushwire/api';
import { JobInterrupted, JobLockLost, RetryLater } from './errors.js';
import type { Keys } from './keys.js';
import { sendArguments, type JobData } from './message.js';
import { entryOf } from './records.js';
import { OutcomeRecorder } from './recorder.js';
import { claimTokens, finishCampaignPart, resumePart } from './scripts.js';

/** Tuning of a job attempt (see `WorkerOptions`). */
export interface RunTuning {
  /** Most tokens of the job in flight (`sendMany`'s `concurrency`). */
  readonly concurrency: number;
  readonly claimStep: number;
  readonly batchSize: number;
  readonly flushInterval: number;
  readonly maxStreamLength: number;
  readonly progressInterval: number;
}

/** What one attempt did (the job's return value). */
export interface AttemptSummary {
  /** Tokens this attempt had to send. */
  readonly attempted: number;
  /** Of those, tokens resent after an earlier attempt died with them in flight (flagged possible duplicates). */
  readonly resent: number;
  /** Tokens skipped because an earlier attempt recorded their outcome. */
  readonly skipped: number;
}

/** Everything one attempt needs. */
export interface AttemptContext {
  readonly job: Job<JobData>;
  readonly lockToken: string;
  readonly redis: Redis;
  readonly keys: Keys;
  readonly client: Client;
  /** This is the job's last attempt: retryable outcomes are final. */
  readonly final: boolean;
  readonly tuning: RunTuning;
  /** Aborted with reason `'lock'` when the worker learns the job's lock was lost; otherwise when the job is stopped from outside. */
  readonly signal: AbortSignal;
  /** Called after each batch of outcomes is written, with the number this attempt wrote so far. */
  readonly onRecorded?: (written: number) => void;
}

/**
 * Runs one attempt.
 * @throws {JobLockLost} the job stalled and is another attempt's now; {@link JobInterrupted}: stopped from
 *   outside; {@link RetryLater}: retryable tokens remain; or the batch's own error.
 */
export async function runAttempt(context: AttemptContext): Promise<AttemptSummary> {
  const { job, lockToken, redis, keys, client, final, tuning } = context;
  const data = job.data;
  const jobId = job.id ?? '?';
  const campaign = keys.campaign(data.campaignId);
  const lock = keys.jobLock(data.credentials, jobId);
  const resumed = await resumePart(redis, campaign, lock, lockToken, data.part, data.tokens);
  if (resumed === undefined) throw new JobLockLost(jobId);

  const { mark, states } = resumed;
  const resend: string[] = [];
  const flagged = new Set<string>();
  const fresh: number[] = [];
  const seen = new Set<string>();
  let skipped = 0;
  data.tokens.forEach((token, i) => {
    if (seen.has(token)) return;
    seen.add(token);
    const state = states[i] ?? '';
    if (state === 'f') {
      skipped++;
    } else if (i < mark || state !== '') {
      resend.push(token);
      if (state === '' || state === 'r1') flagged.add(token);
    } else {
      fresh.push(i);
    }
  });

  let lastProgress = 0;
  const recorder = new OutcomeRecorder({
    redis,
    keys: campaign,
    streams: keys,
    campaignId: data.campaignId,
    topic: data.options.topic,
    maxStreamLength: tuning.maxStreamLength,
    batchSize: tuning.batchSize,
    interval: tuning.flushInterval,
    onFlush: (written) => {
      context.onRecorded?.(written);
      const now = Date.now();
      if (now - lastProgress < tuning.progressInterval) return;
      lastProgress = now;
      job.updateProgress(written).catch(() => undefined);
    },
  });

  // Stopped because the lock is gone (the job is someone else's now) or from outside:
  // nothing more is recorded, and the attempt that runs the job next resends what was in flight.
  const stop = new AbortController();
  let stopped: 'lock' | 'abort' | undefined;
  const halt = (why: 'lock' | 'abort'): void => {
    stopped ??= why;
    recorder.disable();
    stop.abort();
  };
  const onAbort = (): void => halt(context.signal.reason === 'lock' ? 'lock' : 'abort');
  context.signal.addEventListener('abort', onAbort, { once: true });
  if (context.signal.aborted) onAbort();

  async function* tokens(): AsyncGenerator<string> {
    for (const token of resend) yield token;
    let claimed = mark;
    for (const i of fresh) {
      if (i >= claimed) {
        claimed = await claimTokens(redis, campaign.marks, lock, lockToken, data.part, Math.min(data.tokens.length, i + tuning.claimStep));
        if (claimed < 0) {
          halt('lock');
          return;
        }
      }
      yield data.tokens[i]!;
    }
  }

  const { notification, options } = sendArguments(data);
  let batchError: unknown;
  try {
    await client.sendMany(tokens(), notification, options, {
      collect: 'none',
      idempotencyKey: data.campaignId,
      concurrency: tuning.concurrency,
      signal: stop.signal,
      onResult: (outcome) => recorder.add(entryOf(outcome, flagged.has(outcome.token), !final)),
    });
  } catch (error) {
    batchError = error;
  } finally {
    context.signal.removeEventListener('abort', onAbort);
  }
  // Outcomes that arrived are recorded even when the batch failed.
  await recorder.close();
  if (stopped === 'lock') throw new JobLockLost(jobId);
  if (stopped === 'abort') throw new JobInterrupted(jobId);
  if (batchError !== undefined) throw batchError;
  if (!final && recorder.retries > 0) throw new RetryLater(jobId, recorder.retries);
  await finishCampaignPart(redis, campaign, data.part);
  return { attempted: resend.length + fresh.length, resent: flagged.size, skipped };
}
