// A process busy past the PING timeout must not kill a healthy connection:
// when the event loop wakes, the expired PING timer runs (timers phase)
// before the ACK waiting in the socket is read (poll phase). The server runs
// in a worker thread, so it answers while the client's loop is blocked.
import { afterEach, expect, test } from '@jest/globals';
import http2 from 'node:http2';
import { Worker } from 'node:worker_threads';
import { createCa, issueServerCertificate } from '@pushwire/mock-server';
import { WireSession } from '../src/h2/wire-session.js';
import { Connection, type EngineName } from '../src/index.js';

const SERVER = `
const { parentPort, workerData } = require('node:worker_threads');
const http2 = require('node:http2');
const sessions = new Set();
const server = http2.createSecureServer({ cert: workerData.cert, key: workerData.key });
server.on('session', (s) => { sessions.add(s); s.on('error', () => {}); s.on('close', () => sessions.delete(s)); });
server.on('stream', (stream) => stream.respond({ ':status': 200 }, { endStream: true }));
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', () => { for (const s of sessions) s.destroy(); server.close(() => parentPort.close()); });
`;

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

/** The prototype whose `ping` each engine calls (node:http2's session, or ours). */
function pingOwner(engine: EngineName): { ping: (...args: unknown[]) => unknown } {
  if (engine === 'wire') return WireSession.prototype as unknown as { ping: (...args: unknown[]) => unknown };
  const probe = http2.connect('https://localhost:1');
  probe.on('error', () => {});
  const proto = Object.getPrototypeOf(probe) as { ping: (...args: unknown[]) => boolean };
  probe.destroy();
  return proto;
}

test.each(['node', 'wire'] as const)('%s engine: a PING answered while the event loop was blocked past its timeout does not destroy the connection', async (engine) => {
  const ca = await createCa('pushwire ping test CA');
  const worker = new Worker(SERVER, { eval: true, workerData: await issueServerCertificate(ca) });
  cleanup.push(() => new Promise<void>((resolve) => worker.once('exit', () => resolve()).postMessage('stop')));
  const port = await new Promise<number>((resolve) => worker.once('message', resolve));

  // Block the loop right after each PING is sent (in the check phase, after a
  // poll that cannot have read the ACK yet): 150 ms, three times the timeout.
  const proto = pingOwner(engine);
  const ping = proto.ping;
  const own = Object.hasOwn(proto, 'ping');
  let pings = 0;
  proto.ping = function blockingPing(this: unknown, ...args: unknown[]): unknown {
    pings++;
    setImmediate(() => {
      const end = Date.now() + 150;
      while (Date.now() < end);
    });
    return ping.apply(this, args);
  };
  cleanup.push(() => void (own ? (proto.ping = ping) : delete (proto as { ping?: unknown }).ping));

  const conn = await Connection.connect(`https://localhost:${port}`, { engine, tls: { ca: ca.cert }, ping: { interval: 20, timeout: 50 } });
  cleanup.push(() => conn.close());
  let closed: Error | undefined | 'open' = 'open';
  conn.once('close', (cause?: Error) => (closed = cause));
  while (pings < 5 && closed === 'open') await new Promise((resolve) => setTimeout(resolve, 10));
  expect(closed).toBe('open');
  expect(conn.isReady).toBe(true);
});
