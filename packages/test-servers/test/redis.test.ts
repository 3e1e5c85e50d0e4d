// Redis as the queue tier's tests run it: our own config on a free loopback
// port, nothing on disk unless asked, AOF kept across a restart.
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { startRedis, stopAll } from '@pushwire/test-servers';

/** Installing redis-server (apt-get) on a fresh machine takes a while; starting it, well under a second. */
const START_TIMEOUT = 180_000;

/** Sends one command in RESP and resolves with the first reply line (or the bulk string's value). */
function command(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.on('error', reject);
    socket.on('connect', () => socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      const lines = reply.split('\r\n');
      if (lines.length < 2) return;
      // A bulk string: `$<n>` then the value (or `$-1`: none).
      if (lines[0]!.startsWith('$') && lines[0] !== '$-1' && lines.length < 3) return;
      socket.destroy();
      resolve(lines[0]!.startsWith('$') ? (lines[0] === '$-1' ? '(nil)' : lines[1]!) : lines[0]!);
    });
  });
}

afterAll(stopAll);

describe('startRedis', () => {
  it('runs redis-server 7 on loopback with its own config, and nothing on disk by default', async () => {
    const redis = await startRedis();
    expect(redis.version).toMatch(/^7\./);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await command(redis.port, 'SET', 'k', 'v')).toBe('+OK');
    expect(await command(redis.port, 'GET', 'k')).toBe('v');
    expect(redis.exited()).toBeUndefined();
    // Without AOF a restart starts empty, and nothing was written to disk.
    await redis.restart();
    expect(readdirSync(redis.dir)).toEqual(['redis.conf']);
    expect(await command(redis.port, 'GET', 'k')).toBe('(nil)');
    await redis.stop();
    await expect(command(redis.port, 'PING')).rejects.toThrow(/ECONNREFUSED/);
  }, START_TIMEOUT);

  it('with appendOnly keeps every write across a restart, and runs `whileDown` while the port is closed', async () => {
    const redis = await startRedis({ appendOnly: true });
    for (let i = 0; i < 100; i++) await command(redis.port, 'RPUSH', 'list', String(i));
    let refusedWhileDown: unknown;
    await redis.restart(async () => {
      refusedWhileDown = await command(redis.port, 'PING').catch((e: Error) => e.message);
    });
    expect(refusedWhileDown).toMatch(/ECONNREFUSED/);
    expect(await command(redis.port, 'LLEN', 'list')).toBe(':100');
    expect(readdirSync(redis.dir)).toContain('appendonlydir');
    expect(redis.log()).toMatch(/Ready to accept connections/);
  }, START_TIMEOUT);

  it('stopAll stops it and removes its work dir', async () => {
    const redis = await startRedis({ appendOnly: true });
    expect(existsSync(`${redis.dir}/redis.conf`)).toBe(true);
    await stopAll();
    await expect(command(redis.port, 'PING')).rejects.toThrow(/ECONNREFUSED/);
    expect(existsSync(redis.dir)).toBe(false);
  }, START_TIMEOUT);

  it('refuses a bad appendFsync before starting anything', async () => {
    await expect(startRedis({ appendFsync: 'sometimes' as 'always' })).rejects.toThrow(/appendFsync must be/);
  });
});
