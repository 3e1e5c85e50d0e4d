/**
 * Randomly scheduled faults against the soak's mock server: injected
 * statuses, resets, stalls and delays, GOAWAY, destroyed connections, live
 * SETTINGS changes, failed TLS handshakes and restarts on the same port.
 * @module
 */
import type { Fault } from '@pushwire/mock-server';
import type { ServerProcess } from './server-process.js';

/** One fault: what it is called in the report, and how to cause it. */
interface Chaos {
  readonly name: string;
  readonly run: (server: ServerProcess, random: () => number) => Promise<void>;
}

const inject = (fault: Fault) => (server: ServerProcess) => server.command({ op: 'inject', fault }).then(() => undefined);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const CHAOS: readonly Chaos[] = [
  { name: '503 Shutdown x200', run: inject({ kind: 'status', status: 503, reason: 'Shutdown', times: 200 }) },
  { name: '500 storm x300', run: inject({ kind: 'status', status: 500, reason: 'InternalServerError', times: 300 }) },
  { name: '429 Retry-After 1 s x100', run: inject({ kind: 'retryAfter', seconds: 1, times: 100 }) },
  { name: 'REFUSED_STREAM x300', run: inject({ kind: 'rst', code: 'REFUSED_STREAM', times: 300 }) },
  { name: 'stall x20', run: inject({ kind: 'stall', times: 20 }) },
  { name: 'stall, PINGs unanswered', run: inject({ kind: 'stall', ignorePings: true, times: 1 }) },
  { name: 'delay 3 s x200', run: inject({ kind: 'delay', ms: 3000, times: 200 }) },
  { name: 'GOAWAY middle', run: (server) => server.command({ op: 'goaway' }).then(() => undefined) },
  { name: 'destroy connections', run: (server) => server.command({ op: 'destroy' }).then(() => undefined) },
  {
    name: 'max streams 1 for 5 s',
    run: async (server) => {
      await server.command({ op: 'settings', maxConcurrentStreams: 1 });
      await sleep(5000);
      await server.command({ op: 'settings', maxConcurrentStreams: 1000 });
    },
  },
  {
    name: 'destroy + 3 TLS handshake failures',
    run: async (server) => {
      await server.command({ op: 'inject', fault: { kind: 'tlsFail', connections: 3 } });
      await server.command({ op: 'destroy' });
    },
  },
  { name: 'restart (down 1-3 s)', run: (server, random) => server.restart(1000 + Math.floor(random() * 2000)) },
];

/**
 * Fires a random fault every 5 to 20 s until `signal` aborts; counts fired
 * faults by name and failures to cause one (a command with no reply).
 */
export async function runChaos(server: ServerProcess, random: () => number, signal: AbortSignal, fired: Map<string, number>, failures: string[]): Promise<void> {
  while (!signal.aborted) {
    await sleepUnlessAborted(5000 + random() * 15_000, signal);
    if (signal.aborted) return;
    const chaos = CHAOS[Math.floor(random() * CHAOS.length)]!;
    try {
      await chaos.run(server, random);
      fired.set(chaos.name, (fired.get(chaos.name) ?? 0) + 1);
    } catch (error) {
      failures.push(`${chaos.name}: ${(error as Error).message}`);
    }
  }
}

function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
