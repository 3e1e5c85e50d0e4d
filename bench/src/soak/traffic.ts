/**
 * The soak's mixed traffic: single sends, bulk sends and raw pool posts of
 * alert, background and VoIP notifications to live, unregistered and
 * malformed tokens. Every notification ends in the {@link Ledger}.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { APNSRejection, InvalidArgumentError, type BatchResult, type Client, type Notification, type SendOptions } from '@pushwire/api';
import { Request, type Pool, type PoolResponse } from '@pushwire/pool';
import type { Ledger, Outcome } from './ledger.js';

export const TOPIC = 'dev.pushwire.soak';

/** One kind of notification with its options. */
interface Kind {
  readonly name: string;
  readonly notification: Notification;
  readonly options: SendOptions;
  /** Raw headers and body for pool posts. */
  readonly headers: Record<string, string>;
  readonly body: object;
}

const KINDS: readonly Kind[] = [
  {
    name: 'alert',
    notification: { alert: { title: 'Soak', body: 'Ünïcödé ✓ message' }, sound: 'default', badge: 1 },
    options: { topic: TOPIC, pushType: 'alert' },
    headers: { 'apns-topic': TOPIC, 'apns-push-type': 'alert' },
    body: { aps: { alert: { title: 'Soak', body: 'raw pool post' } } },
  },
  {
    name: 'background',
    notification: { contentAvailable: true, custom: { sync: 'inbox' } },
    options: { topic: TOPIC, pushType: 'background', priority: 5 },
    headers: { 'apns-topic': TOPIC, 'apns-push-type': 'background', 'apns-priority': '5' },
    body: { aps: { 'content-available': 1 } },
  },
  {
    name: 'voip',
    notification: { custom: { call: 'incoming', from: 'soak' } },
    options: { topic: TOPIC, pushType: 'voip' },
    headers: { 'apns-topic': `${TOPIC}.voip`, 'apns-push-type': 'voip' },
    body: { call: 'incoming' },
  },
];

/** Fresh live device tokens (64 hex digits). */
export function liveToken(): string {
  return randomBytes(32).toString('hex');
}

/** Malformed tokens: refused locally by `Client`, by the server when posted raw. */
const BAD_TOKENS = ['not-a-token', 'abc', 'zz'.repeat(32), '0'.repeat(63)];

/** Picks a token: mostly live, some unregistered, a few malformed. */
export function pickToken(random: () => number, unregistered: readonly string[]): string {
  const r = random();
  if (r < 0.02) return BAD_TOKENS[Math.floor(random() * BAD_TOKENS.length)]!;
  if (r < 0.07) return unregistered[Math.floor(random() * unregistered.length)]!;
  return liveToken();
}

/** The outcome of a rejected send. */
export function classifyError(error: unknown): Outcome {
  if (error instanceof APNSRejection) return { kind: `rejected:${error.reason}` };
  if (error instanceof InvalidArgumentError) return { kind: 'local:InvalidArgument' };
  const name = error instanceof Error ? error.name : typeof error;
  const outcome = (error as { outcome?: unknown }).outcome;
  if (outcome === 'not-sent') return { kind: `error:${name}(not sent)` };
  // A timeout or an unknown cut: the request may have been written.
  return { kind: `error:${name}`, unknown: outcome === 'unknown' };
}

/** The clients the traffic goes through. */
export interface Senders {
  readonly atMostOnce: Client;
  readonly atLeastOnce: Client;
  readonly pool: Pool;
}

/** Runs one action of about `size` notifications; resolves when all of them have settled. */
export async function runAction(
  senders: Senders,
  ledger: Ledger,
  random: () => number,
  unregistered: readonly string[],
  size: number,
): Promise<void> {
  const kind = KINDS[Math.floor(random() * KINDS.length)]!;
  const r = random();
  if (r < 0.3) await singles(senders, ledger, random, unregistered, kind, size);
  else if (r < 0.7) await bulk(senders, ledger, random, unregistered, kind, size);
  else await poolPosts(senders.pool, ledger, random, unregistered, kind, size);
}

async function singles(senders: Senders, ledger: Ledger, random: () => number, unregistered: readonly string[], kind: Kind, size: number): Promise<void> {
  const client = random() < 0.5 ? senders.atMostOnce : senders.atLeastOnce;
  const id = ledger.begin(`sendNotification x${size} (${kind.name})`, size, Date.now());
  const sends = Array.from({ length: size }, () =>
    client.sendNotification(pickToken(random, unregistered), kind.notification, kind.options).then(
      (): Outcome => ({ kind: 'ok' }),
      classifyError,
    ),
  );
  for (const outcome of await Promise.all(sends)) ledger.record(outcome);
  ledger.finish(id, Date.now());
}

async function bulk(senders: Senders, ledger: Ledger, random: () => number, unregistered: readonly string[], kind: Kind, wanted: number): Promise<void> {
  const client = random() < 0.5 ? senders.atMostOnce : senders.atLeastOnce;
  // Distinct tokens: `failed` is keyed by token, so every token has exactly one entry.
  const tokens = [...new Set(Array.from({ length: wanted }, () => pickToken(random, unregistered)))];
  const size = tokens.length;
  const id = ledger.begin(`sendMany x${size} (${kind.name})`, size, Date.now());
  let batch: BatchResult;
  try {
    batch = await client.sendMany(tokens, kind.notification, kind.options, { collect: 'failures' });
  } catch (error) {
    // BatchInterrupted cannot happen here (no callbacks, an array source); count it loudly if it does.
    for (let i = 0; i < size; i++) ledger.record({ kind: `error:sendMany threw ${(error as Error).name}`, unknown: true });
    ledger.finish(id, Date.now());
    return;
  }
  const { sent, failed, errors } = batch.counts;
  for (let i = 0; i < sent; i++) ledger.record({ kind: 'ok' });
  for (const failure of batch.failed.values()) ledger.record({ kind: failure.local ? `local:${failure.reason}` : `rejected:${failure.reason}` });
  for (const group of batch.errors) {
    const outcome = classifyError(group.error);
    for (let i = 0; i < group.tokens.length; i++) ledger.record({ kind: outcome.kind, unknown: group.outcome === 'unknown' });
  }
  // Every token must be in exactly one of sent / failed / errors.
  const missing = size - (sent + failed + errors);
  for (let i = 0; i < missing; i++) ledger.record({ kind: 'LOST' });
  ledger.finish(id, Date.now());
}

async function poolPosts(pool: Pool, ledger: Ledger, random: () => number, unregistered: readonly string[], kind: Kind, size: number): Promise<void> {
  const id = ledger.begin(`pool.post x${size} (${kind.name})`, size, Date.now());
  const posts = Array.from({ length: size }, () => {
    const token = pickToken(random, unregistered);
    let request: Request;
    try {
      request = Request.create(`/3/device/${encodeURIComponent(token)}`, kind.headers, kind.body);
    } catch (error) {
      return Promise.resolve(classifyError(error));
    }
    return pool.post(request).then(
      (res: PoolResponse): Outcome => (res.status === 200 ? { kind: 'ok', possibleDuplicate: res.possibleDuplicate } : { kind: `rejected:${res.reason ?? res.status}` }),
      classifyError,
    );
  });
  for (const outcome of await Promise.all(posts)) ledger.record(outcome);
  ledger.finish(id, Date.now());
}
