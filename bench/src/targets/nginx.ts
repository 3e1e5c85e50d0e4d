import { createSigningKey } from '@pushwire/mock-server';
import { startNginx as startServer } from '@pushwire/test-servers';
import { childrenNamed, treeCpuUs } from '../proc.js';
import type { RunningTarget, SkippedTarget } from './types.js';

/**
 * nginx (Debian package, installed when missing) from `@pushwire/test-servers`,
 * shaped for throughput: one worker, 1000 concurrent streams (APNs' usual
 * SETTINGS), no GOAWAY after N requests (nginx's default of 1000 would measure
 * reconnects rather than clients), no access log, answering every push with
 * 200 and an `apns-id`: a server we did not write. With `accessLog` (the bench's
 * `--server-count`), nginx logs every request, which costs it CPU, and the bench
 * counts each run's lines. Returns a SkippedTarget when nginx cannot be installed
 * or started.
 */
export async function startNginx(accessLog = false): Promise<RunningTarget | SkippedTarget> {
  let server;
  // nginx's master is our child; the one that was not there before is this server's.
  const before = new Set(childrenNamed('nginx', process.pid));
  try {
    server = await startServer({ maxConcurrentStreams: 1000, requestsPerConnection: 1_000_000_000, accessLog });
  } catch (error) {
    return { skipped: `nginx did not start; skipping the nginx target: ${(error as Error).message}` };
  }
  const master = childrenNamed('nginx', process.pid).find((pid) => !before.has(pid));
  // nginx does not check tokens; the clients still sign them as they would for APNs.
  const { keyId, teamId, key } = createSigningKey({ keyId: 'BENCHKEY01', teamId: 'BENCHTEAM1' });
  return {
    info: {
      name: 'nginx',
      origin: server.origin,
      host: 'localhost',
      port: server.port,
      ca: server.ca,
      caFile: server.caFile,
      signingKey: { keyId, teamId, key },
    },
    description: `nginx version: nginx/${server.version}, 1 worker, HTTP/2 over TLS, return 200`,
    death: () => server.exited(),
    ...(master === undefined ? {} : { cpuUs: () => treeCpuUs(master) }),
    ...(accessLog ? { requestLog: () => server.log() } : {}),
    stop: () => server.stop(),
  };
}
