/**
 * Starts and stops the demo's mock server on a worker thread
 * (see `demo-worker.ts`).
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { DemoWorkerData, DemoWorkerReady } from './demo-worker.js';
import { loadMockServer } from './mock-server.js';

/** A running demo server. */
export interface DemoServer extends DemoWorkerReady {
  /** Stops the server and ends the worker. */
  stop(): Promise<void>;
}

/** Starts the mock with `unregistered` tokens marked as such. */
export async function startDemoServer(unregistered: DemoWorkerData['unregistered']): Promise<DemoServer> {
  // Fail with the install hint here, not as an error inside the worker.
  await loadMockServer('demo');
  const data: DemoWorkerData = { unregistered };
  const worker = new Worker(new URL('./demo-worker.js', import.meta.url), { workerData: data });
  try {
    const [ready] = (await once(worker, 'message')) as [DemoWorkerReady];
    const exited = once(worker, 'exit');
    return {
      ...ready,
      stop: async () => {
        worker.postMessage('stop');
        await exited;
      },
    };
  } catch (error) {
    await worker.terminate();
    throw error;
  }
}
