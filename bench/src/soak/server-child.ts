/**
 * The soak's mock APNs server, in its own process: starts a
 * `MockApnsServer` (token auth, recording off) with the TLS and signing key
 * the driver gives it, and runs the driver's commands. `stop` stops the
 * server and reports its final accepted count before the process exits, so
 * the driver's server-side total stays exact across restarts.
 * @module
 */
import { readFileSync } from 'node:fs';
import { MockApnsServer } from '@pushwire/mock-server';
import type { Command, Ready, Reply, ServerSetup } from './protocol.js';

const setup = JSON.parse(process.argv[2] ?? '{}') as ServerSetup;
const server = await MockApnsServer.start({
  port: setup.port,
  auth: 'token',
  record: false,
  tls: { cert: readFileSync(setup.certFile, 'utf8'), key: readFileSync(setup.keyFile, 'utf8'), ca: readFileSync(setup.caFile, 'utf8') },
});
server.addSigningKey(setup.signingKey);
for (const token of setup.unregistered) server.unregisterDevice(token, { timestamp: Date.now() - 60_000 });

const reply = (id: number, error?: string): void => {
  const stats = server.stats();
  const message: Reply = { id, accepted: server.acceptedCount(), connections: stats.openConnections, rss: process.memoryUsage.rss(), ...(error ? { error } : {}) };
  process.send?.(message);
};

process.on('message', (command: Command) => {
  void run(command).then(
    () => reply(command.id),
    (error: unknown) => reply(command.id, (error as Error).message),
  );
});

async function run(command: Command): Promise<void> {
  switch (command.op) {
    case 'inject':
      server.inject(command.fault);
      return;
    case 'clearFaults':
      server.clearFaults();
      return;
    case 'goaway':
      server.goaway({ lastStreamId: 'middle', reason: 'Shutdown' });
      return;
    case 'destroy':
      server.destroyConnections();
      return;
    case 'settings':
      server.setMaxConcurrentStreams(command.maxConcurrentStreams);
      return;
    case 'count':
      return;
    case 'stop':
      await server.stop();
      process.once('disconnect', () => process.exit(0));
      setTimeout(() => process.exit(0), 2000).unref();
      return;
  }
}

const ready: Ready = { ready: true, origin: server.origin };
process.send?.(ready);
