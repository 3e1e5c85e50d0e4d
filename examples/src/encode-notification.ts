// Encodes and validates a notification with @pushwire/models (no network),
// then prints its headers and payload size, and what validation refuses.
// Run (from the repo root): npx -y pnpm@10.34.8 -F @pushwire/examples encode-notification
import { pathToFileURL } from 'node:url';
import { InvalidArgumentError, Priority, encodeNotification } from '@pushwire/models';

/** Runs the example; `log` receives what happened. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  const token = 'a1'.repeat(32);
  const encoded = encodeNotification(
    token,
    { alert: { title: 'Hello', body: { key: 'GREETING', args: ['Ada'] } }, badge: 3, sound: 'default', threadId: 'chat-42' },
    { topic: 'com.example.app', priority: Priority.Immediately, collapseId: 'chat-42', expiration: 0 },
  );
  log(`path: ${encoded.path}`);
  for (const [name, value] of Object.entries(encoded.headers)) log(`header ${name}: ${value}`);
  log(`payload: ${encoded.body.byteLength} bytes: ${new TextDecoder().decode(encoded.body)}`);

  for (const [what, run] of [
    ['a malformed token', () => encodeNotification('xyz', { alert: 'hi' }, { topic: 'com.example.app' })],
    ['a 5 KB alert', () => encodeNotification(token, { alert: 'x'.repeat(5000) }, { topic: 'com.example.app' })],
  ] as const) {
    try {
      run();
      throw new Error(`${what} was accepted`);
    } catch (error) {
      if (!(error instanceof InvalidArgumentError)) throw error;
      log(`refused ${what}: ${error.message}`);
    }
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
