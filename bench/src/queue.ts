#!/usr/bin/env node
/**
 * `node bench/dist/queue.js [--n 100000] [--workers 1,2,4] [--tokens-per-job 1000] [--repeat 1]`
 *
 * The queue tier's bench (issue #18), separate from the main interleaved
 * client run: one in-process `client.sendMany` of N tokens, then the same N
 * tokens as a campaign through `@pushwire/queue` (BullMQ on Redis), sent by
 * 1, 2 and 4 worker processes, all against nginx (HTTP/2 over TLS, return 200).
 * Per row: notifications/s, CPU per notification of the senders (the
 * `sendMany` process, or the worker processes), of Redis and of the
 * producer, and Redis commands per token (`INFO commandstats`, scripts'
 * inner commands included; EVALSHA calls are the round trips).
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { Server } from '@pushwire/api';
import { CampaignProducer } from '@pushwire/queue';
import { startRedis, type RedisServer } from '@pushwire/test-servers';
import { machine } from './machine.js';
import { treeCpuUs } from './proc.js';
import { startNginx } from './targets/nginx.js';
import type { RunningTarget } from './targets/types.js';

const USAGE = 'usage: node bench/dist/queue.js [--n 100000] [--workers 1,2,4] [--tokens-per-job 1000] [--concurrency 2] [--repeat 1]';
const CHILD = fileURLToPath(new URL('./queue/worker-child.js', import.meta.url));
const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

interface Options {
  readonly n: number;
  readonly workers: readonly number[];
  readonly tokensPerJob: number;
  readonly concurrency: number;
  readonly repeat: number;
}

/** One row of the table. */
interface Row {
  readonly name: string;
  readonly n: number;
  readonly ms: number;
  readonly perSecond: number;
  /** CPU µs per notification: senders, Redis, producer (this process). */
  readonly senderCpu: number;
  readonly redisCpu: number;
  readonly producerCpu: number;
  /** Redis commands per token (all, and EVALSHA/EVAL calls). */
  readonly redisCalls: number;
  readonly scriptCalls: number;
  readonly topCommands: string;
}

function parseOptions(argv: readonly string[]): Options {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const match = /^--(n|workers|tokens-per-job|concurrency|repeat)(?:=(.*))?$/.exec(argv[i]!);
    if (!match) throw new Error(`unexpected argument \`${argv[i]}\`\n${USAGE}`);
    values.set(match[1]!, match[2] ?? argv[++i] ?? '');
  }
  const int = (name: string, fallback: number): number => {
    const n = Number(values.get(name) ?? fallback);
    if (!Number.isInteger(n) || n < 1) throw new Error(`Expected \`--${name}\` to be a positive integer\n${USAGE}`);
    return n;
  };
  const workers = (values.get('workers') ?? '1,2,4').split(',').map(Number);
  if (workers.some((w) => !Number.isInteger(w) || w < 1 || w > 16)) throw new Error(`Expected \`--workers\` to list 1 to 16\n${USAGE}`);
  return { n: int('n', 100_000), workers, tokensPerJob: int('tokens-per-job', 1000), concurrency: int('concurrency', 2), repeat: int('repeat', 1) };
}

function tokens(n: number, round: number): string[] {
  const prefix = `${round.toString(16).padStart(4, '0')}bead`;
  return Array.from({ length: n }, (_, i) => prefix + i.toString(16).padStart(56, '0'));
}

/** Calls per command from `INFO commandstats`. */
async function commandStats(redis: Redis): Promise<Map<string, number>> {
  const text = await redis.info('commandstats');
  const calls = new Map<string, number>();
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(match[1]!, Number(match[2]));
  return calls;
}

function cpuOf(pid: number | undefined): number {
  return pid === undefined ? 0 : (treeCpuUs(pid) ?? 0);
}

function selfCpu(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Measures `run` with Redis' CPU and command counts around it. */
async function measure(
  name: string,
  n: number,
  redis: Redis,
  redisPid: number,
  run: () => Promise<number>,
): Promise<Row> {
  const before = await commandStats(redis);
  const redisStart = cpuOf(redisPid);
  const selfStart = selfCpu();
  const started = performance.now();
  const senderUs = await run();
  const ms = performance.now() - started;
  const producerUs = selfCpu() - selfStart;
  const redisUs = cpuOf(redisPid) - redisStart;
  const after = await commandStats(redis);
  const diff = [...after].map(([cmd, calls]) => [cmd, calls - (before.get(cmd) ?? 0)] as const).filter(([cmd, d]) => d > 0 && cmd !== 'info');
  const total = diff.reduce((sum, [, d]) => sum + d, 0);
  const scripts = diff.filter(([cmd]) => cmd === 'evalsha' || cmd === 'eval').reduce((sum, [, d]) => sum + d, 0);
  const top = diff
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([cmd, d]) => `${cmd} ${(d / n).toFixed(3)}`)
    .join(', ');
  return {
    name,
    n,
    ms,
    perSecond: (n / ms) * 1000,
    senderCpu: senderUs / n,
    redisCpu: redisUs / n,
    producerCpu: producerUs / n,
    redisCalls: total / n,
    scriptCalls: scripts / n,
    topCommands: top,
  };
}

/** The baseline: one `sendMany` in this process (its CPU is the sender's; no Redis). */
async function inProcess(target: RunningTarget, list: string[]): Promise<number> {
  const { keyId, teamId, key } = target.info.signingKey;
  const client = await Server.custom(target.info.origin, { token: { keyId, teamId, key } }, { ca: target.info.ca, engine: 'wire' }).createClient({ feedbackBuffer: 0 });
  const start = selfCpu();
  try {
    const batch = await client.sendMany(list, { alert: 'bench' }, { topic: 'com.example.bench' }, { collect: 'none' });
    if (batch.counts.sent !== list.length) throw new Error(`sendMany: ${JSON.stringify(batch.counts)}`);
    return selfCpu() - start;
  } finally {
    await client.close();
  }
}

interface Child {
  readonly process: ChildProcess;
  stop(): Promise<number>;
}

async function startWorkers(count: number, redis: RedisServer, prefix: string, target: RunningTarget, concurrency: number): Promise<Child[]> {
  const { keyId, teamId, key } = target.info.signingKey;
  const config = JSON.stringify({ redis: redis.url, prefix, origin: target.info.origin, ca: target.info.ca, keyId, teamId, key, concurrency });
  return Promise.all(
    Array.from({ length: count }, async () => {
      const child = fork(CHILD, [], { env: { ...process.env, PUSHWIRE_BENCH_QUEUE: config }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      await new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready`)));
        child.on('message', (m: { type?: string }) => m.type === 'ready' && resolve());
      });
      return {
        process: child,
        stop: () =>
          new Promise<number>((resolve) => {
            child.on('message', (m: { type?: string; cpuUs?: number }) => m.type === 'stopped' && resolve(m.cpuUs ?? 0));
            child.send({ type: 'stop' });
          }),
      };
    }),
  );
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const target = await startNginx();
  if ('skipped' in target) throw new Error(target.skipped);
  const redis = await startRedis();
  const db = new Redis(redis.url);
  const redisPid = Number(/process_id:(\d+)/.exec(await db.info('server'))?.[1]);
  const rows: Row[] = [];
  try {
    console.log(`queue bench: N = ${options.n.toLocaleString('en-US')}, tokens per job ${options.tokensPerJob}, concurrency ${options.concurrency} per worker, ${target.description}, redis ${redis.version}`);
    for (let round = 0; round < options.repeat; round++) {
      const list = tokens(options.n, round);
      rows.push(await measure('in-process sendMany (no queue)', options.n, db, redisPid, () => inProcess(target, list)));
      console.log(format(rows.at(-1)!));
      for (const count of options.workers) {
        const prefix = `bench-${round}-${count}`;
        const workers = await startWorkers(count, redis, prefix, target, options.concurrency);
        const producer = new CampaignProducer({ redis: redis.url, prefix });
        try {
          rows.push(
            await measure(`queue: ${count} worker process${count === 1 ? '' : 'es'}`, options.n, db, redisPid, async () => {
              const campaign = await producer.enqueue({ credentials: 'bench', notification: { alert: 'bench' }, options: { topic: 'com.example.bench' }, tokens: list, tokensPerJob: options.tokensPerJob });
              const counts = await campaign.done({ pollInterval: 200 });
              if (counts.sent !== options.n) throw new Error(`campaign: ${JSON.stringify(counts)}`);
              const cpu = await Promise.all(workers.map((w) => w.stop()));
              return cpu.reduce((a, b) => a + b, 0);
            }),
          );
          console.log(format(rows.at(-1)!));
        } finally {
          await producer.close();
          for (const w of workers) w.process.kill('SIGKILL');
          await db.flushall();
        }
      }
    }
    console.log(`\n${table(rows)}`);
    mkdirSync(RESULTS, { recursive: true });
    const file = join(RESULTS, `queue-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify({ machine: machine(), options, rows }, null, 2));
    console.log(`\nresults: ${file}`);
  } finally {
    db.disconnect();
    await redis.stop();
    await target.stop();
  }
}

function format(row: Row): string {
  return `${row.name}: ${Math.round(row.perSecond).toLocaleString('en-US')}/s, CPU µs/notification: senders ${row.senderCpu.toFixed(1)}, redis ${row.redisCpu.toFixed(1)}, producer ${row.producerCpu.toFixed(1)}; redis calls/token ${row.redisCalls.toFixed(3)} (scripts ${row.scriptCalls.toFixed(4)}): ${row.topCommands}`;
}

function table(rows: readonly Row[]): string {
  const lines = [
    '| run | notifications/s | CPU µs/notif. (senders) | CPU µs/notif. (Redis) | CPU µs/notif. (producer) | Redis commands/token | script calls/token |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${Math.round(r.perSecond).toLocaleString('en-US')} | ${r.senderCpu.toFixed(1)} | ${r.redisCpu.toFixed(1)} | ${r.producerCpu.toFixed(1)} | ${r.redisCalls.toFixed(2)} | ${r.scriptCalls.toFixed(4)} |`,
    );
  }
  return lines.join('\n');
}

await main();
