/**
 * Names in Redis: the BullMQ queue of each credentials name, the job ids of
 * a campaign, and pushwire's own keys. Everything starts with the prefix.
 */
import { InvalidArgumentError, describeValue } from '@pushwire/models';

/** The prefix of every key when none is given. */
export const DEFAULT_PREFIX = 'pushwire';

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Braces allowed so a Redis Cluster user can pin everything to one slot (`{pushwire}`). */
const PREFIX = /^[A-Za-z0-9_{}-]{1,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks a credentials name (1–64 letters, digits, `_` or `-`): it names a
 * queue, so it must not hold `:` or spaces.
 * @throws {InvalidArgumentError} naming `field`.
 */
export function checkCredentialsName(name: unknown, field = 'credentials'): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new InvalidArgumentError(field, `expected a name of 1 to 64 letters, digits, '_' or '-', got ${describeValue(name)}`);
  }
  return name;
}

/** Checks a key prefix (1–64 letters, digits, `_`, `-`, `{`, `}`). @throws {InvalidArgumentError} */
export function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new InvalidArgumentError('prefix', `expected 1 to 64 letters, digits, '_', '-', '{' or '}', got ${describeValue(prefix)}`);
  }
  return prefix;
}

/** Checks a campaign id (a UUID, the campaign's idempotency key) and lowercases it. @throws {InvalidArgumentError} */
export function checkCampaignId(id: unknown, field = 'campaignId'): string {
  if (typeof id !== 'string' || !UUID.test(id)) throw new InvalidArgumentError(field, `expected a UUID (8-4-4-4-12 hex), got ${describeValue(id)}`);
  return id.toLowerCase();
}

/** The BullMQ queue that carries the jobs of one credentials name. */
export function queueName(credentials: string): string {
  return `send-${credentials}`;
}

/** The BullMQ job id of part `part` of a campaign (custom ids make a re-enqueue idempotent). */
export function jobId(campaignId: string, part: number): string {
  return `${campaignId}.${part}`;
}

/** The campaign id and part of a job id made by {@link jobId}, or undefined for any other id. */
export function parseJobId(id: string | undefined): { campaignId: string; part: number } | undefined {
  const match = /^([0-9a-f-]{36})\.(\d+)$/.exec(id ?? '');
  return match === null ? undefined : { campaignId: match[1]!, part: Number(match[2]) };
}

/** The keys of one campaign. */
export interface CampaignKeys {
  /** Hash: credentials, createdAt, total, jobs, completedAt, retention, topic. */
  readonly meta: string;
  /** Hash: token → its outcome record. */
  readonly outcomes: string;
  /** Hash: sent, rejected, not-sent, unknown, done, possibleDuplicates, `rejected:<reason>`, … */
  readonly counts: string;
  /** Hash: part → how many of the part's tokens (from its start) may have been written. */
  readonly marks: string;
  /** Set: the parts whose every token has its final outcome. */
  readonly finished: string;
}

/** Every pushwire key under one prefix. */
export class Keys {
  readonly prefix: string;

  constructor(prefix: string = DEFAULT_PREFIX) {
    this.prefix = checkPrefix(prefix);
  }

  /** The keys of campaign `id`. */
  campaign(id: string): CampaignKeys {
    const base = `${this.prefix}:campaign:${id}`;
    return { meta: base, outcomes: `${base}:outcomes`, counts: `${base}:counts`, marks: `${base}:marks`, finished: `${base}:finished` };
  }

  /** Stream of 410s (every campaign): campaign, token, reason, timestamp, topic. */
  get unregistered(): string {
    return `${this.prefix}:unregistered`;
  }

  /** Stream of every other final outcome that is not `sent`: campaign, token, outcome, status, reason, error, possibleDuplicate. */
  get failures(): string {
    return `${this.prefix}:failures`;
  }

  /** The shared provider token of one key (a signed JWT and when it was issued). */
  jwt(teamId: string, keyId: string): string {
    return `${this.prefix}:jwt:${teamId}:${keyId}`;
  }

  /** The lock taken by the one process that signs the next token of a key. */
  jwtLock(teamId: string, keyId: string): string {
    return `${this.jwt(teamId, keyId)}:lock`;
  }

  /** BullMQ's lock of a job being processed (its value is the worker's lock token). */
  jobLock(credentials: string, id: string): string {
    return `${this.prefix}:${queueName(credentials)}:${id}:lock`;
  }
}
