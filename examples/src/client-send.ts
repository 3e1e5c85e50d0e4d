// Sends one notification with @pushwire/api against the bundled mock APNs
// server, then shows a definitive rejection (410) and a local validation error.
// The client has a default topic (`createClient({ topic })`), and
// `await using` closes it when `main` returns or throws.
// Run (from the repo root): npx -y pnpm@10.34.8 -F @pushwire/examples client-send
import { pathToFileURL } from 'node:url';
import { APNSRejection, InvalidArgumentError, Priority, Server } from '@pushwire/api';
import { MockApnsServer } from '@pushwire/mock-server';

const TOPIC = 'com.example.app';
const DEVICE = 'a1'.repeat(32);
const GONE = 'b2'.repeat(32);

/** Runs the example; `log` receives what happened. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  await using mock = await MockApnsServer.start({ auth: 'token' });
  const { keyId, teamId, key } = mock.signingKey;
  // Server.production({ token: { keyId, teamId, key } }) in real life; `key` may also be the .p8 file's path.
  await using client = await Server.custom(mock.origin, { token: { keyId, teamId, key } }, { ca: mock.ca }).createClient({
    topic: TOPIC, // every send without its own topic goes to this app
    timeout: 10_000, // one send, retries included
    backoff: { minDelay: 50, maxDelay: 2_000 }, // between retries of a 429/5xx
    ping: { interval: 30_000, timeout: 5_000 }, // notice a dead network path in seconds
  });
  const apnsId = await client.sendNotification(
    DEVICE,
    { alert: { title: 'Hello', body: { key: 'GREETING', args: ['Ada'] } }, badge: 1, sound: 'default' },
    { priority: Priority.Immediately, collapseId: 'auto' },
  );
  log(`sent: apns-id ${apnsId}`);

  mock.unregisterDevice(GONE, { timestamp: Date.UTC(2026, 0, 1), reason: 'Unregistered' });
  try {
    await client.sendNotification(GONE, { alert: 'Still there?' });
  } catch (error) {
    if (!(error instanceof APNSRejection)) throw error;
    log(`rejected: ${error.status} ${error.reason} (${error.category}), token invalid since ${new Date(error.timestamp ?? 0).toISOString()}`);
  }

  try {
    await client.sendNotification('not-a-token', { alert: 'x' }, { topic: TOPIC }); // a send's own topic wins over the client's
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    log(`refused locally, nothing sent: ${error.message}`);
  }
  log(`server recorded ${mock.requests.length} requests`);
  // Leaving `main` closes the client, then stops the mock (in reverse order of `await using`).
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
