import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';

/** What the numbers were measured on, printed above the tables and saved in the JSON. */
export interface Machine {
  readonly nproc: number;
  readonly cpu: string;
  readonly memory: string;
  readonly node: string;
  /** 1-minute load average when the run started and when it ended. */
  readonly load: string;
  readonly peers: Record<string, string>;
}

/** @param node - The Node binary the clients run on (its `--version` is reported). */
export function machine(node = process.execPath): Omit<Machine, 'load'> {
  return {
    nproc: Number(tryRun('nproc', []) || cpus().length),
    cpu: cpus()[0]?.model ?? 'unknown',
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: node === process.execPath ? process.version : tryRun(node, ['--version']),
    peers: { '@parse/node-apn': peerVersion('@parse/node-apn'), apns2: peerVersion('apns2') },
  };
}

export function load1(): number {
  return loadavg()[0] ?? NaN;
}

function tryRun(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

/** The installed version: the package.json above the resolved entry (apns2 exports no ./package.json). */
function peerVersion(name: string): string {
  try {
    let dir = dirname(createRequire(import.meta.url).resolve(name));
    for (let i = 0; i < 5; i++, dir = dirname(dir)) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name && pkg.version) return pkg.version;
      } catch {
        // not this directory
      }
    }
  } catch {
    // not installed
  }
  return 'not installed';
}
