import { Pool, Request, TokenAuth, type EngineName, type PoolResponse } from '@pushwire/pool';
import type { Outcome, RunSpec } from '../types.js';
import { countFailure } from '../workload.js';

/** Requests allowed to wait in the pool's queue before the loop waits for room. */
const HIGH_WATER = 2000;

/**
 * pushwire's Pool as its README shows a bulk send: one validated `Request` template
 * (headers and body), `template.withPath()` per device, and back-pressure from the pool's queue
 * (`queued` / `onQueueBelow`) rather than 100,000 promises at once. `engine` is
 * the connections' HTTP/2 engine (`connection: { engine }`), named by the row.
 */
export async function run(spec: RunSpec, tokens: string[], size: number, engine: EngineName): Promise<Outcome> {
  const { target } = spec;
  const pool = new Pool(target.origin, { connections: size, tls: { ca: target.ca }, auth: new TokenAuth(target.signingKey), connection: { engine } });
  const headers = { 'apns-topic': spec.topic, 'apns-push-type': 'alert' };
  const template = Request.create('/3/device/', headers, Buffer.from(spec.payload));
  const failures: Record<string, number> = {};
  let ok = 0;
  const onResponse = (response: PoolResponse): void => {
    if (response.status === 200) ok++;
    else countFailure(failures, `${response.status} ${response.reason ?? ''}`.trim());
  };
  const onError = (error: unknown): void => countFailure(failures, describe(error));

  const pending: Promise<void>[] = [];
  try {
    for (const token of tokens) {
      if (pool.queued >= HIGH_WATER) await pool.onQueueBelow(HIGH_WATER / 2);
      pending.push(pool.post(template.withPath(`/3/device/${token}`)).then(onResponse, onError));
    }
    await Promise.all(pending);
  } finally {
    await pool.close();
  }
  return { ok, failed: tokens.length - ok, failures };
}

export function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
