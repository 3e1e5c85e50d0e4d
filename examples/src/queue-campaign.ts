// A campaign through the queue (@pushwire/queue on BullMQ + Redis): a
// producer enqueues 3,000 tokens in jobs of 500, two workers send them to
// the mock APNs server, and the producer waits for the counts. The workers
// hold the signing key; Redis only ever sees the jobs, the outcomes and the
// shared signed JWT. Here both workers run in this process; in production
// each is its own process (`pushwire worker`), on as many machines as needed.
// Redis: REDIS_URL if set, else a redis-server started for the example
// (Debian's, installed when missing).
// Run (from the repo root): npx -y pnpm@10.34.8 -F @pushwire/examples queue-campaign
import { pathToFileURL } from 'node:url';
import { MockApnsServer } from '@pushwire/mock-server';
import { CampaignProducer, CampaignWorker, type CampaignCounts, type CredentialsConfig } from '@pushwire/queue';
import { startRedis } from '@pushwire/test-servers';

const TOPIC = 'com.example.app';
const COUNT = 3000;

/** Runs the example; `log` receives what happened. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  const ownRedis = process.env['REDIS_URL'] === undefined ? await startRedis() : undefined;
  const redisUrl = ownRedis?.url ?? process.env['REDIS_URL']!;
  // A prefix of its own, so the example never mixes with other data in a shared Redis.
  const prefix = `example-${process.pid}`;
  const mock = await MockApnsServer.start({ auth: 'token' });
  // The registry: credentials by name. The key stays here, in the worker's own configuration.
  const { keyId, teamId, key } = mock.signingKey;
  const main: CredentialsConfig = { origin: mock.origin, ca: mock.ca, auth: { token: { keyId, teamId, key } } };
  const workers = [1, 2].map(() => new CampaignWorker({ redis: redisUrl, prefix, credentials: { main }, jobConcurrency: 2 }));
  const producer = new CampaignProducer({ redis: redisUrl, prefix });
  try {
    for (const worker of workers) worker.on('error', (e: Error) => log(`worker error: ${e.message}`));
    await Promise.all(workers.map((w) => w.waitUntilReady()));

    const tokens = Array.from({ length: COUNT }, (_, i) => (i + 1).toString(16).padStart(64, '0'));
    // Two devices uninstalled the app.
    for (const i of [100, 2500]) mock.unregisterDevice(tokens[i]!, { timestamp: Date.UTC(2026, 0, 1), reason: 'Unregistered' });

    const campaign = await producer.enqueue({ credentials: 'main', notification: { alert: 'Spring sale' }, options: { topic: TOPIC }, tokens, tokensPerJob: 500 });
    const enqueued = await campaign.counts();
    log(`campaign enqueued: ${enqueued.total} tokens in ${enqueued.jobs} jobs`);
    let reports = 0;
    campaign.on('progress', (_c: CampaignCounts) => reports++);
    const counts = await campaign.done();
    log(`sent ${counts.sent}, rejected ${counts.rejected} (${JSON.stringify(counts.rejectedByReason)}), not sent ${counts.notSent}, unknown ${counts.unknown}`);
    log(`jobs per worker: ${workers.map((w) => w.stats().completed).join(' + ')} = ${enqueued.jobs}`);
    log(`progress reports: ${reports > 0 ? 'yes' : 'no'}`);

    // Dead tokens reach the app through a Redis stream, even if no producer was listening.
    const page = await producer.readUnregistered();
    log(`unregistered stream: ${page.entries.map((e) => `${e.token.slice(-3)} at ${new Date(e.timestamp!).toISOString()}`).join(', ')}`);
    const one = await campaign.outcome(tokens[7]!);
    log(`token …${tokens[7]!.slice(-3)}: ${one?.outcome}, possible duplicate: ${one?.possibleDuplicate}`);
    log(`the mock accepted ${mock.accepted().length}`);
  } finally {
    await producer.close();
    await Promise.all(workers.map((w) => w.close()));
    await mock.stop();
    await ownRedis?.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
