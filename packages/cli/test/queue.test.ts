// `pushwire worker` and `pushwire enqueue`: the built binary as separate
// processes, a real Redis (REDIS_URL) and the mock APNs server.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startRedis, type RedisServer } from '@pushwire/test-servers';
import { BIN, TOPIC, cleanEnv, ensureBuilt, makeTokens, runCli, startMock, type MockFixture } from './helpers.js';

/** Starts `pushwire worker ...` and resolves once it printed that it is ready. */
function startWorker(args: readonly string[], env: Record<string, string>): Promise<{ child: ChildProcess; output: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'worker', ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (): void => {
      if (!output.includes('worker ready')) return;
      child.stdout!.off('data', onData);
      resolve({ child, output: () => output, exited });
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => reject(new Error(`worker exited (${code}) before it was ready: ${output}`)));
  });
}

describe('pushwire worker + enqueue', () => {
  let fx: MockFixture;
  let redis: RedisServer;
  beforeAll(async () => {
    ensureBuilt();
    redis = await startRedis();
    fx = await startMock();
  }, 180_000);
  afterAll(async () => {
    await fx.close();
    await redis.stop();
  });

  test('two worker processes send a 3,000-token campaign; enqueue --wait prints its counts; SIGTERM stops them cleanly', async () => {
    const good = makeTokens(2_990, 'cli-queue');
    const gone = makeTokens(10, 'gone-cli');
    gone.forEach((t) => fx.mock.unregisterDevice(t, { timestamp: 1_700_000_000_000, reason: 'Unregistered' }));
    const tokensFile = join(fx.dir, 'queue-tokens.txt');
    await writeFile(tokensFile, `# campaign\n${[...good, ...gone].join('\n')}\n`);
    const env = { REDIS_URL: redis.url };
    const workers = await Promise.all([1, 2].map(() => startWorker([...fx.flags, '--credentials', 'main', '--job-concurrency', '2'], env)));
    try {
      expect(workers[0]!.output()).toMatch(new RegExp(`worker ready: credentials 'main' → ${fx.mock.origin} with provider token \\(key id ${fx.mock.signingKey.keyId}`));
      // The key file's path is printed nowhere, nor its contents.
      expect(workers[0]!.output()).not.toContain('PRIVATE KEY');

      const r = await runCli(['enqueue', '--credentials', 'main', '--topic', TOPIC, '--alert', 'Sale!', '--tokens', tokensFile, '--tokens-per-job', '500', '--wait'], { env, timeout: 60_000 });
      expect(r.stderr).toMatch(/^campaign [0-9a-f-]{36}: 3,000 tokens in 6 jobs for credentials 'main'$/m);
      expect(r.stdout).toMatch(/^sent\s+2,990$/m);
      expect(r.stdout).toMatch(/^ {2}Unregistered\s+10$/m);
      expect(r.stdout).toMatch(/^total\s+3,000$/m);
      expect(r.code).toBe(3); // some tokens rejected
      expect(new Set(fx.mock.accepted().map((a) => a.token))).toEqual(new Set(good));
    } finally {
      for (const w of workers) w.child.kill('SIGTERM');
    }
    for (const w of workers) {
      expect(await w.exited).toBe(0);
      expect(w.output()).toMatch(/SIGTERM: finishing jobs in progress\nworker stopped: \d+ jobs, [\d,]+ tokens sent \(0 resent\)/);
    }
  }, 90_000);

  test('enqueue without --wait prints the campaign id; --json with --wait gives the counts as JSON', async () => {
    const tokensFile = join(fx.dir, 'queue-small.txt');
    await writeFile(tokensFile, makeTokens(20, 'small-cli').join('\n'));
    const env = { REDIS_URL: redis.url };
    const first = await runCli(['enqueue', '--credentials', 'later', '--topic', TOPIC, '--alert', 'hi', '--tokens', tokensFile], { env });
    expect(first.code).toBe(0);
    const id = /^campaign ([0-9a-f-]{36}): 20 tokens in 1 jobs for credentials 'later'$/m.exec(first.stdout)?.[1];
    expect(id).toBeDefined();
    const worker = await startWorker([...fx.flags, '--credentials', 'later'], env);
    try {
      // The same campaign again (same id) with --wait: nothing is sent twice, and the counts come as JSON.
      const again = await runCli(['enqueue', '--credentials', 'later', '--topic', TOPIC, '--alert', 'hi', '--tokens', tokensFile, '--campaign-id', id!, '--wait', '--json'], { env, timeout: 30_000 });
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ campaignId: id, total: 20, done: 20, sent: 20, complete: true });
      expect(fx.mock.accepted().filter((a) => a.token?.startsWith(makeTokens(1, 'small-cli')[0]!.slice(0, 16)))).toHaveLength(20);
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
  }, 60_000);

  test('bad input: no Redis URL, a bad --rate-limit, a bad campaign id: exit 2, one line, nothing sent', async () => {
    const tokensFile = join(fx.dir, 'queue-bad.txt');
    await writeFile(tokensFile, makeTokens(2, 'bad-cli').join('\n'));
    const noRedis = await runCli(['enqueue', '--topic', TOPIC, '--alert', 'x', '--tokens', tokensFile]);
    expect(noRedis).toMatchObject({ code: 2, stderr: 'error: no Redis: give --redis <url> or set REDIS_URL (e.g. redis://127.0.0.1:6379)\n' });
    const badLimit = await runCli(['worker', ...fx.flags, '--redis', redis.url, '--rate-limit', 'fast']);
    expect(badLimit.code).toBe(2);
    expect(badLimit.stderr).toMatch(/--rate-limit expects <jobs>\/<ms>/);
    const badId = await runCli(['enqueue', '--redis', redis.url, '--topic', TOPIC, '--alert', 'x', '--tokens', tokensFile, '--campaign-id', 'nope']);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toMatch(/campaignId/);
    const secret = await runCli(['enqueue', '--redis', 'http://user:hunter2@host', '--topic', TOPIC, '--alert', 'x', '--tokens', tokensFile]);
    expect(secret.code).toBe(2);
    expect(secret.stderr).not.toContain('hunter2');
  }, 60_000);
});
