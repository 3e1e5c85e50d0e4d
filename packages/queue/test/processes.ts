/** Queue workers as child processes (the built package), driven over IPC. */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MockApnsServer } from '@pushwire/mock-server';
import type { WorkerOptions, WorkerStats } from '../src/index.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/worker-process.mjs', import.meta.url));

/** Builds the queue package when `dist/` is missing (CI runs `tsc -b` first). */
export function ensureBuilt(): void {
  if (!existsSync(`${ROOT}packages/queue/dist/index.js`)) execFileSync('npx', ['tsc', '-b', 'packages/queue'], { cwd: ROOT, stdio: 'inherit' });
}

/** A message from a worker process. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'active' | 'recorded'; jobId: string; campaignId: string; part: number; written: number }
  | { type: 'completed'; jobId: string; attempted: number; resent: number; skipped: number }
  | { type: 'stats'; stats: WorkerStats };

/** One worker process. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Its stats, asked over IPC. */
  stats(): Promise<WorkerStats>;
  /** Graceful close, then exit. */
  close(): Promise<void>;
}

/** Starts a worker process for the mock's credentials (name `main`) and resolves once it is ready. */
export async function startWorkerProcess(redisUrl: string, mock: MockApnsServer, worker: Partial<WorkerOptions>, onMessage: (message: WorkerMessage) => void = () => undefined): Promise<WorkerProcess> {
  const { keyId, teamId, key } = mock.signingKey;
  const env: NodeJS.ProcessEnv = { ...process.env, PUSHWIRE_QUEUE_FIXTURE: JSON.stringify({ redis: redisUrl, origin: mock.origin, ca: mock.ca, keyId, teamId, key, worker }) };
  delete env['NODE_OPTIONS'];
  const child = fork(FIXTURE, [], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.on('message', (message) => onMessage(message as WorkerMessage));
  await new Promise<void>((resolve, reject) => {
    const onReady = (message: unknown): void => {
      if ((message as WorkerMessage).type !== 'ready') return;
      child.off('message', onReady);
      resolve();
    };
    child.on('message', onReady);
    void exited.then(({ code, signal }) => reject(new Error(`worker process exited before it was ready (${signal ?? code})`)));
  });
  return {
    child,
    exited,
    stats: () =>
      new Promise((resolve) => {
        const onStats = (message: unknown): void => {
          if ((message as WorkerMessage).type !== 'stats') return;
          child.off('message', onStats);
          resolve((message as { stats: WorkerStats }).stats);
        };
        child.on('message', onStats);
        child.send({ type: 'stats' });
      }),
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ type: 'close' });
      await exited;
    },
  };
}
