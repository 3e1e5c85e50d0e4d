/**
 * Identifier helpers for idempotent resends: random UUIDs for single sends,
 * name-based UUIDs (RFC 9562 §5.5, version 5) for bulk sends so the same
 * (batch key, token) always gets the same `apns-id` without storing it.
 */
import { createHash, randomUUID } from 'node:crypto';

/** A random lowercase UUID (version 4). */
export function newApnsId(): string {
  return randomUUID();
}

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

function format(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.subarray(0, 16)).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Derives per-token `apns-id`s from a batch key: `idFor(token)` is a version 5
 * UUID of `token` in the batch key's namespace, so a retry of the batch
 * reuses every token's id.
 */
export class IdDeriver {
  readonly #namespace: Buffer;

  constructor(batchKey: string) {
    this.#namespace = uuidBytes(batchKey);
  }

  /** The `apns-id` of `token` in this batch. */
  idFor(token: string): string {
    const hash = createHash('sha1').update(this.#namespace).update(token).digest();
    hash[6] = (hash[6]! & 0x0f) | 0x50; // version 5
    hash[8] = (hash[8]! & 0x3f) | 0x80; // RFC 4122 variant
    return format(hash);
  }
}
