/**
 * The queue tier's errors. All are `APNSError`s with a stable `code` (a
 * literal type; {@link ErrorCode} lists them), branded for `instanceof`
 * across copies of the package; bad input is models' `InvalidArgumentError`,
 * as in every tier. `docs/errors.md` has a row for each.
 */
import { APNSError, brandError, type ErrorCode as ModelsErrorCode } from '@pushwire/models';

/** A campaign id with nothing in Redis (never enqueued, or expired after its retention). */
export class CampaignNotFound extends APNSError {
  static {
    brandError(this, 'CampaignNotFound');
  }

  declare readonly code: 'ERR_PUSHWIRE_QUEUE_CAMPAIGN_NOT_FOUND';
  readonly campaignId: string;

  constructor(campaignId: string) {
    super(`campaign ${campaignId} is not in Redis (never enqueued, or removed after its retention)`, 'ERR_PUSHWIRE_QUEUE_CAMPAIGN_NOT_FOUND');
    this.name = 'CampaignNotFound';
    this.campaignId = campaignId;
  }
}

/** `Campaign.done()` gave up: its `timeout` passed or its `signal` aborted before the campaign completed. */
export class CampaignWaitAborted extends APNSError {
  static {
    brandError(this, 'CampaignWaitAborted');
  }

  declare readonly code: 'ERR_PUSHWIRE_QUEUE_WAIT_ABORTED';
  readonly campaignId: string;

  constructor(campaignId: string, why: string) {
    super(`stopped waiting for campaign ${campaignId}: ${why} (the campaign goes on)`, 'ERR_PUSHWIRE_QUEUE_WAIT_ABORTED');
    this.name = 'CampaignWaitAborted';
    this.campaignId = campaignId;
  }
}

/**
 * A job attempt lost its lock (it stalled: another worker now owns the
 * job), so it stopped sending; the owner resends what was in flight,
 * flagged as possible duplicates. Seen in a worker's `'error'` events only.
 */
export class JobLockLost extends APNSError {
  static {
    brandError(this, 'JobLockLost');
  }

  declare readonly code: 'ERR_PUSHWIRE_QUEUE_LOCK_LOST';
  readonly jobId: string;

  constructor(jobId: string) {
    super(`job ${jobId} lost its lock (stalled) and stopped; the worker that owns it now resends what was in flight`, 'ERR_PUSHWIRE_QUEUE_LOCK_LOST');
    this.name = 'JobLockLost';
    this.jobId = jobId;
  }
}

/**
 * A job attempt was stopped from outside (`worker.close({ force: true })`,
 * or BullMQ cancelled the job) before its tokens all had an outcome. The
 * job is retried (its unanswered tokens resent and flagged) or, on its last
 * attempt, finalized by `Campaign.done()` / `campaign.reconcile()`.
 */
export class JobInterrupted extends APNSError {
  static {
    brandError(this, 'JobInterrupted');
  }

  declare readonly code: 'ERR_PUSHWIRE_QUEUE_INTERRUPTED';
  readonly jobId: string;

  constructor(jobId: string) {
    super(`job ${jobId} was interrupted (worker closed with force, or the job was cancelled)`, 'ERR_PUSHWIRE_QUEUE_INTERRUPTED', true);
    this.name = 'JobInterrupted';
    this.jobId = jobId;
  }
}

/**
 * Some tokens of a job ended with a retryable outcome (429 / 5xx after the
 * client's own retries, or never sent for a cause that may heal): the job
 * fails this attempt so BullMQ retries it later with back-off; only those
 * tokens are sent again. The job's last attempt records them as they end.
 */
export class RetryLater extends APNSError {
  static {
    brandError(this, 'RetryLater');
  }

  declare readonly code: 'ERR_PUSHWIRE_QUEUE_RETRY_LATER';
  readonly tokens: number;

  constructor(jobId: string, tokens: number) {
    super(`job ${jobId}: ${tokens} token(s) ended retryable (429, 5xx or not sent); the job is retried later for them`, 'ERR_PUSHWIRE_QUEUE_RETRY_LATER', true);
    this.name = 'RetryLater';
    this.tokens = tokens;
  }
}

/**
 * Every `code` the queue tier can raise: the models tier's (bad input),
 * plus one per class above. The sends themselves raise `@pushwire/api`'s
 * (its `ErrorCode`).
 */
export type ErrorCode = ModelsErrorCode | CampaignNotFound['code'] | CampaignWaitAborted['code'] | JobLockLost['code'] | JobInterrupted['code'] | RetryLater['code'];
