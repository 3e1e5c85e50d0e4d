import apn from '@parse/node-apn';
import type { Outcome, RunSpec } from '../types.js';
import { chunks, countFailure, PAYLOAD } from '../workload.js';

/** Connections in node-apn's MultiProvider round robin (its documented `clientCount`). */
export const CLIENT_COUNT = 4;
/** Tokens per `provider.send(note, tokens)` in the chunked form. */
export const CHUNK = 5000;

/**
 * @parse/node-apn's documented bulk send, `provider.send(note, tokens)`, on a
 * `MultiProvider`. `chunk` undefined is the naive single call with every token.
 */
export async function run(spec: RunSpec, tokens: string[], chunk: number | undefined): Promise<Outcome> {
  const { target } = spec;
  const provider = new apn.MultiProvider({
    token: { key: target.signingKey.key, keyId: target.signingKey.keyId, teamId: target.signingKey.teamId },
    address: target.host,
    port: target.port,
    ca: [target.ca],
    production: false,
    clientCount: CLIENT_COUNT,
  });
  const note = new apn.Notification();
  note.rawPayload = PAYLOAD;
  note.topic = spec.topic;
  note.pushType = 'alert';

  const failures: Record<string, number> = {};
  let ok = 0;
  for (const part of chunk === undefined ? [tokens] : chunks(tokens, chunk)) {
    const result = await provider.send(note, part);
    ok += result.sent.length;
    for (const failure of result.failed) countFailure(failures, describe(failure));
  }
  await provider.shutdown();
  return { ok, failed: tokens.length - ok, failures };
}

function describe(failure: apn.ResponseFailure): string {
  if (failure.response?.reason) return `${failure.status ?? ''} ${failure.response.reason}`.trim();
  if (failure.error) return failure.error.message;
  return `status ${failure.status ?? 'unknown'}`;
}
