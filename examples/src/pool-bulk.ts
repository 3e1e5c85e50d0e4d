// A bulk send straight on @pushwire/pool: 2,000 requests through a pool of
// two connections, with back-pressure from the pool's queue (wait with
// onQueueBelow instead of queueing everything), then the pool's stats.
// Run (from the repo root): npx -y pnpm@10.34.8 -F @pushwire/examples pool-bulk
import { pathToFileURL } from 'node:url';
import { Request, TokenAuth } from '@pushwire/connection';
import { buildHeaders, devicePath, encodePayload } from '@pushwire/models';
import { MockApnsServer } from '@pushwire/mock-server';
import { Pool } from '@pushwire/pool';

const COUNT = 2000;
const HIGH_WATER = 200;

/** Runs the example; `log` receives what happened. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  const mock = await MockApnsServer.start({ auth: 'token' });
  const pool = new Pool(mock.origin, { connections: 2, tls: { ca: mock.ca }, auth: new TokenAuth(mock.signingKey) });
  // Encode once; only the path changes per device.
  const headers = buildHeaders({ topic: 'com.example.app' });
  const body = encodePayload({ alert: 'Flash sale' }, 'alert');
  // Validated once; withPath() checks only each device's path.
  const template = Request.create('/3/device/', headers, body, { attemptTimeout: 10_000 });
  const statuses = new Map<number, number>();
  const pending: Array<Promise<void>> = [];
  const started = Date.now();
  try {
    for (let i = 0; i < COUNT; i++) {
      if (pool.queued >= HIGH_WATER) await pool.onQueueBelow(HIGH_WATER / 2);
      const token = i.toString(16).padStart(64, '0');
      pending.push(
        pool.post(template.withPath(devicePath(token))).then(
          (response) => void statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1),
          (error: unknown) => log(`failed: ${String(error)}`),
        ),
      );
    }
    await Promise.all(pending);
    log(`${COUNT} sends in ${Date.now() - started} ms: ${JSON.stringify(Object.fromEntries(statuses))}`);
    log(`pool stats: ${JSON.stringify(pool.stats())}`);
  } finally {
    await pool.close();
    await mock.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
