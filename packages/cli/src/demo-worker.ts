/**
 * The demo's mock APNs server, run on a worker thread of the demo's process
 * so the server and the client each get a core (on 2 cores this nearly
 * doubles the demo's throughput compared with sharing one event loop).
 *
 * `workerData`: `{ unregistered: Array<[token, timestamp]> }`. Posts
 * `{ origin, ca, signingKey }` once listening; stops on any message.
 */
import { parentPort, workerData } from 'node:worker_threads';

/** What the worker gets. */
export interface DemoWorkerData {
  readonly unregistered: ReadonlyArray<readonly [token: string, timestamp: number]>;
}

/** What the worker posts once listening. */
export interface DemoWorkerReady {
  readonly origin: string;
  readonly ca: string;
  readonly signingKey: { readonly keyId: string; readonly teamId: string; readonly key: string };
}

const port = parentPort;
if (port !== null) {
  const data = workerData as DemoWorkerData;
  // Loaded on demand: @pushwire/mock-server is an optional peer (startDemoServer checked it is there).
  const { MockApnsServer } = await import('@pushwire/mock-server');
  const mock = await MockApnsServer.start({ auth: 'token', fast: true, record: false });
  for (const [token, timestamp] of data.unregistered) mock.unregisterDevice(token, { timestamp, reason: 'Unregistered' });
  const { keyId, teamId, key } = mock.signingKey;
  const ready: DemoWorkerReady = { origin: mock.origin, ca: mock.ca, signingKey: { keyId, teamId, key } };
  port.once('message', () => {
    void mock.stop().finally(() => port.close());
  });
  port.postMessage(ready);
}
