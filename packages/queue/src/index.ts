/**
 * `@pushwire/queue`: pushwire campaigns on BullMQ (Redis or Valkey).
 *
 * A {@link CampaignProducer} splits a campaign's tokens into jobs; any
 * number of {@link CampaignWorker}s, in any number of processes and
 * machines, send them with `@pushwire/api`'s `sendMany`, record every
 * token's outcome in Redis as it arrives, share one provider token per key
 * ({@link RedisTokenStore}), and resume a dead worker's job where it
 * stopped: tokens with an outcome are never sent again; tokens that were in
 * flight are resent with the same `apns-id` and collapse id and flagged
 * `possibleDuplicate`.
 * @packageDocumentation
 */
export { CampaignProducer } from './producer.js';
export type { EnqueueInput, ProducerOptions } from './producer.js';
export { Campaign } from './campaign.js';
export type { WaitOptions } from './campaign.js';
export { CampaignWorker } from './worker.js';
export type { CredentialsConfig, JobReport, RateLimit, RecordedReport, WorkerOptions, WorkerStats } from './worker.js';
export type { AttemptSummary } from './job-run.js';
export { RedisTokenStore } from './token-store.js';
export type { RedisTokenStoreOptions, TokenStoreStats } from './token-store.js';
export type { CampaignCounts } from './counts.js';
export type { TokenRecord } from './records.js';
export type { CampaignSendOptions } from './message.js';
export type { FailureEntry, StreamPage, StreamReadOptions, UnregisteredEntry } from './streams.js';
export type { RedisConnection } from './connection.js';
export { CampaignNotFound, CampaignWaitAborted, JobInterrupted, JobLockLost, RetryLater } from './errors.js';
export type { ErrorCode } from './errors.js';
export { DEFAULT_PREFIX } from './keys.js';
export { InvalidArgumentError } from '@pushwire/models';
