import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { stopChild, waitForH2 } from '@pushwire/test-servers';
import { treeCpuUs } from '../proc.js';
import type { RunningTarget, SkippedTarget } from './types.js';

/** What the mock server's standalone entry prints (one JSON line) once it listens. */
interface Ready {
  origin: string;
  ca: string;
  signingKey: { keyId: string; teamId: string; key: string };
}

/**
 * @pushwire/mock-server in fast mode, in its own process (its standalone entry
 * `dist/main.js`), with token auth and recording off.
 */
export async function startMock(dir: string): Promise<RunningTarget | SkippedTarget> {
  let main: string;
  try {
    main = join(dirname(createRequire(import.meta.url).resolve('@pushwire/mock-server')), 'main.js');
  } catch {
    return { skipped: '@pushwire/mock-server is not built (run `tsc -b`)' };
  }
  if (!existsSync(main)) return { skipped: `${main} does not exist yet` };

  const child = spawn(process.execPath, [main, '--fast', '--auth', 'token', '--no-record', '--port', '0', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)));
  const ready = await new Promise<Ready | Error>((resolve) => {
    const timer = setTimeout(() => resolve(new Error('no ready line in 15 s')), 15_000);
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      try {
        const value = JSON.parse(line) as Partial<Ready>;
        if (value.origin && value.ca && value.signingKey) {
          clearTimeout(timer);
          lines.close();
          child.stdout.resume();
          resolve(value as Ready);
        }
      } catch {
        // not the ready line
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(new Error(`exited with ${code}`));
    });
  });
  if (ready instanceof Error) {
    await stopChild(child);
    return { skipped: `mock server did not start (${ready.message}) ${stderr.trim()}` };
  }
  await waitForH2(ready.origin, ready.ca, child);
  mkdirSync(dir, { recursive: true });
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, ready.ca);
  const url = new URL(ready.origin);
  const pid = child.pid;
  return {
    info: {
      name: 'mock',
      origin: ready.origin,
      host: url.hostname,
      port: Number(url.port),
      ca: ready.ca,
      caFile,
      signingKey: ready.signingKey,
    },
    description: '@pushwire/mock-server, fast mode, token auth, recording off',
    death: () =>
      child.exitCode === null && child.signalCode === null
        ? undefined
        : `exited (${child.signalCode ?? child.exitCode}): ${firstError(stderr)}`,
    ...(pid === undefined ? {} : { cpuUs: () => treeCpuUs(pid) }),
    stop: () => stopChild(child),
  };
}

/** The error line and first stack frames of a crash, from a stderr tail. */
function firstError(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const at = lines.findIndex((l) => /Error\b|ERR_/.test(l));
  return (at === -1 ? lines.slice(-3) : lines.slice(at, at + 3)).join(' | ');
}
