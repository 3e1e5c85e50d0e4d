/**
 * One queue worker process of the queue bench: a `CampaignWorker` for the
 * target's credentials, reporting over IPC when it is ready and, asked with
 * `{ type: 'stop' }`, its CPU time (user + system, µs) before it exits.
 * Configuration: JSON in `PUSHWIRE_BENCH_QUEUE`.
 * @module
 */
import { CampaignWorker } from '@pushwire/queue';

interface Config {
  readonly redis: string;
  readonly prefix: string;
  readonly origin: string;
  readonly ca: string;
  readonly keyId: string;
  readonly teamId: string;
  readonly key: string;
  readonly concurrency: number;
}

const config = JSON.parse(process.env['PUSHWIRE_BENCH_QUEUE'] ?? '{}') as Config;
const send = (message: object): void => void process.send?.(message);
const start = process.cpuUsage();

const worker = new CampaignWorker({
  redis: config.redis,
  prefix: config.prefix,
  jobConcurrency: config.concurrency,
  credentials: {
    bench: { origin: config.origin, ca: config.ca, auth: { token: { keyId: config.keyId, teamId: config.teamId, key: config.key } }, engine: 'wire', connections: 2 },
  },
});
worker.on('error', () => undefined);
process.on('message', (message: { type?: string }) => {
  if (message.type !== 'stop') return;
  const cpu = process.cpuUsage(start);
  send({ type: 'stopped', cpuUs: cpu.user + cpu.system, stats: worker.stats() });
  void worker.close({ force: true }).finally(() => process.exit(0));
});
await worker.waitUntilReady();
send({ type: 'ready' });
