// Unregistered-token handling: a bulk send hits dead tokens; the client emits
// each 410 with Apple's timestamp and yields it from client.unregistered(),
// where a token store can drop the token if it was not refreshed since.
// Run (from the repo root): npx -y pnpm@10.34.8 -F @pushwire/examples feedback
import { pathToFileURL } from 'node:url';
import { Server } from '@pushwire/api';
import { MockApnsServer } from '@pushwire/mock-server';

const TOPIC = 'com.example.app';

/** Runs the example; `log` receives what happened. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  const mock = await MockApnsServer.start({ auth: 'token' });
  const client = await Server.custom(mock.origin, { token: mock.signingKey }, { ca: mock.ca }).createClient();
  // A token store: token -> when we last got it from the device.
  const store = new Map<string, number>();
  const tokens = Array.from({ length: 10 }, (_, i) => (i + 1).toString(16).padStart(64, '0'));
  tokens.forEach((token) => store.set(token, Date.UTC(2026, 0, 1)));
  // Two devices uninstalled the app; one re-registered after Apple saw it gone.
  mock.unregisterDevice(tokens[2]!, { timestamp: Date.UTC(2026, 1, 1), reason: 'Unregistered' });
  mock.unregisterDevice(tokens[7]!, { timestamp: Date.UTC(2026, 1, 1), reason: 'Unregistered' });
  store.set(tokens[7]!, Date.UTC(2026, 2, 1));

  client.on('unregistered', ({ token, reason }) => log(`event: ${token.slice(0, 8)}… ${reason}`));
  const consumer = (async () => {
    for await (const { token, timestamp } of client.unregistered()) {
      const registered = store.get(token);
      if (registered !== undefined && (timestamp === undefined || registered < timestamp)) {
        store.delete(token);
        log(`forgot ${token.slice(0, 8)}… (invalid since ${new Date(timestamp ?? 0).toISOString()})`);
      } else {
        log(`kept ${token.slice(0, 8)}…: re-registered after Apple saw it gone`);
      }
    }
  })();

  try {
    const batch = await client.sendMany(tokens, { alert: 'Weekly digest' }, { topic: TOPIC });
    log(`batch: ${JSON.stringify(batch.counts)}`);
  } finally {
    await client.close(); // ends the feed once drained
    await consumer;
    await mock.stop();
  }
  log(`store now holds ${store.size} tokens`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
