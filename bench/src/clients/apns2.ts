import { createRequire } from 'node:module';
import { ApnsClient, Notification } from 'apns2';
import type { Outcome, RunSpec } from '../types.js';
import { chunks, countFailure, PAYLOAD } from '../workload.js';

/** Notifications per `sendMany` in the chunked form (the same split node-apn needs). */
export const CHUNK = 5000;

interface UndiciPool {
  close(): Promise<void>;
}
type PoolCtor = new (origin: string, options: Record<string, unknown>) => UndiciPool;

/**
 * apns2's documented concurrent send, `client.sendMany(notifications)`. `chunk`
 * undefined is the naive single call with every notification.
 *
 * apns2 always connects to `https://${host}:443`, so the bench swaps in an undici Pool
 * for the target's port with exactly the options apns2 builds (32 connections,
 * 100 streams each, h2). The CA is trusted through NODE_EXTRA_CA_CERTS (set by the
 * parent), since apns2 takes no `ca` option.
 */
export async function run(spec: RunSpec, tokens: string[], chunk: number | undefined): Promise<Outcome> {
  const { target } = spec;
  const client = new ApnsClient({
    team: target.signingKey.teamId,
    keyId: target.signingKey.keyId,
    signingKey: target.signingKey.key,
    defaultTopic: spec.topic,
    host: target.host,
  });
  await retarget(client, target.origin);

  const failures: Record<string, number> = {};
  let ok = 0;
  for (const part of chunk === undefined ? [tokens] : chunks(tokens, chunk)) {
    const notifications = part.map(
      (token) => new Notification(token, { alert: PAYLOAD.aps.alert, sound: PAYLOAD.aps.sound, badge: PAYLOAD.aps.badge }),
    );
    const results = await client.sendMany(notifications);
    for (const result of results) {
      if ('error' in result) countFailure(failures, describe(result.error));
      else ok++;
    }
  }
  await client.close();
  return { ok, failed: tokens.length - ok, failures };
}

async function retarget(client: ApnsClient, origin: string): Promise<void> {
  // apns2's own copy of undici, so the Pool class and its defaults are the ones it ships with.
  const requireFromApns2 = createRequire(createRequire(import.meta.url).resolve('apns2'));
  const { Pool } = requireFromApns2('undici') as { Pool: PoolCtor };
  const original = client.client as unknown as UndiciPool;
  const pool = new Pool(origin, {
    connections: client.keepAlive ? 32 : 1,
    pipelining: client.keepAlive ? 1 : 0,
    allowH2: true,
    maxConcurrentStreams: 100,
  });
  Object.defineProperty(client, 'client', { value: pool, writable: true, configurable: true });
  await original.close();
}

function describe(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { statusCode?: number; reason?: string; message?: string; cause?: { message?: string } };
    if (e.reason) return `${e.statusCode ?? ''} ${e.reason}`.trim();
    if (e.cause?.message) return `${e.message ?? 'error'}: ${e.cause.message}`;
    if (e.message) return e.message;
  }
  return String(error);
}
