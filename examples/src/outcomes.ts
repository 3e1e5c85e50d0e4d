// Every send ends in one of four outcomes: sent, rejected, not sent, unknown.
// This example makes each happen against the bundled mock APNs server (a
// throttled token, a stalled one, an unreachable origin, an untrusted
// server) and shows what an app does with each.
// Run (from the repo root): npx -y pnpm@10.34.8 -F @pushwire/examples outcomes
import { pathToFileURL } from 'node:url';
import { Server, type BatchResult } from '@pushwire/api';
import { MockApnsServer, unusedPort } from '@pushwire/mock-server';

const TOPIC = 'com.example.app';
const token = (n: number): string => n.toString(16).padStart(64, '0');

/** One line per kind of result: what happened, and what to do about it. */
function describeBatch(batch: BatchResult): string[] {
  const lines = [`sent ${batch.counts.sent}`];
  for (const [t, failure] of batch.failed) {
    lines.push(`rejected ${t.slice(-2)}: ${failure.status} ${failure.reason}, ${failure.retryable ? 'resend later' : 'do not resend'}`);
  }
  for (const group of batch.errors) {
    const advice = group.outcome === 'unknown' ? 'may have been delivered: resend only with a collapse id' : group.retryable ? 'never sent: safe to resend' : 'never sent: fix the cause first';
    lines.push(`${group.outcome} ×${group.tokens.length} (${group.error.name}): ${advice}`);
  }
  lines.push(`retry() offers ${batch.retry().tokens.length}, retry({ includeUnknown: true }) ${batch.retry({ includeUnknown: true }).tokens.length}`);
  return lines;
}

/** Runs the example; `log` receives what happened. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  const mock = await MockApnsServer.start({ auth: 'token' });
  const { keyId, teamId, key } = mock.signingKey;
  const auth = { token: { keyId, teamId, key } };
  try {
    // Sent, rejected (throttled to the end: 429, retryable) and unknown (no answer in time).
    mock.inject({ kind: 'status', status: 429, reason: 'TooManyRequests', token: token(2) });
    mock.inject({ kind: 'stall', token: token(3) });
    const client = await Server.custom(mock.origin, auth, { ca: mock.ca }).createClient({ timeout: 1_000 });
    const batch = await client.sendMany([token(1), token(2), token(3)], { alert: 'Sale!' }, { topic: TOPIC, collapseId: 'auto' });
    for (const line of describeBatch(batch)) log(line);
    await client.close({ force: true });

    // Not sent: nothing listens at the origin; the batch ends in about a second, not at the timeout.
    const nowhere = await Server.custom(`https://localhost:${await unusedPort()}`, auth, { ca: mock.ca }).createClient({ timeout: 20_000 });
    const started = Date.now();
    const unreachable = await nowhere.sendMany([token(4), token(5)], { alert: 'Sale!' }, { topic: TOPIC });
    log(`unreachable origin: ended ${Date.now() - started < 5_000 ? 'in under 5 s' : 'late'}, not at the 20 s timeout`);
    for (const line of describeBatch(unreachable)) log(line);
    await nowhere.close();

    // Fatal: the server's certificate is not trusted (no `ca`): the client fails at once.
    const untrusted = await Server.custom(mock.origin, auth).createClient();
    const refused = await untrusted.sendMany([token(6)], { alert: 'Sale!' }, { topic: TOPIC });
    for (const line of describeBatch(refused)) log(line);
    log(`client failed: ${untrusted.closed}, because ${untrusted.failure?.name}`);
    await untrusted.close();
  } finally {
    await mock.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
