import { Server, type EngineName } from '@pushwire/api';
import type { Outcome, RunSpec } from '../types.js';
import { countFailure, PAYLOAD } from '../workload.js';
import { describe } from './pushwire-pool.js';

/** Connections of the client, the same as the Pool(4) row it is compared with. */
const CONNECTIONS = 4;

/** From this many tokens on, keep only failures, as the api README advises for millions. */
const COLLECT_FAILURES_FROM = 1_000_000;

/**
 * pushwire's high-level bulk send: one `client.sendMany(tokens, notification, { topic })`
 * call with every token, the way its README shows it (with `collect: 'failures'` at a
 * million tokens and up, as that README advises), on the `engine` the row names.
 */
export async function run(spec: RunSpec, tokens: string[], engine: EngineName): Promise<Outcome> {
  const { target } = spec;
  const client = await Server.custom(target.origin, { token: target.signingKey }, { ca: target.ca }).createClient({
    connections: CONNECTIONS,
    engine,
  });
  const notification = { alert: { title: PAYLOAD.aps.alert.title, body: PAYLOAD.aps.alert.body }, sound: PAYLOAD.aps.sound, badge: PAYLOAD.aps.badge };
  const failures: Record<string, number> = {};
  try {
    const batch =
      tokens.length >= COLLECT_FAILURES_FROM
        ? await client.sendMany(tokens, notification, { topic: spec.topic }, { collect: 'failures' })
        : await client.sendMany(tokens, notification, { topic: spec.topic });
    for (const failure of batch.failed.values()) countFailure(failures, `${failure.status} ${failure.reason}`);
    for (const error of batch.errors) {
      for (let i = 0; i < error.tokens.length; i++) countFailure(failures, describe(error.error));
    }
    return { ok: batch.counts.sent, failed: tokens.length - batch.counts.sent, failures };
  } finally {
    await client.close();
  }
}
