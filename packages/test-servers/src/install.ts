import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `scripts/install-debian.sh`, one level up from both `src/` (Jest) and `dist/`. */
const INSTALL_SCRIPT = fileURLToPath(new URL('../scripts/install-debian.sh', import.meta.url));

/** Daemons live in sbin, which is not on every user's PATH. */
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** The path of executable `name` on PATH or in the sbin dirs, if any. */
export function findBinary(name: string): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(':').filter(Boolean).concat(EXTRA_DIRS);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * One install at a time in this process: two test files starting servers at
 * once must not both run apt-get (across processes the script waits for
 * dpkg's lock instead).
 */
let queue: Promise<unknown> = Promise.resolve();

/**
 * The path of `binary`, installing Debian `packages[0]` (or the next one when
 * it fails) with `scripts/install-debian.sh` when it is missing.
 * @throws with the script's output when it cannot be installed (not root, no
 * sudo, no apt-get, no network).
 */
export function ensureInstalled(binary: string, packages: readonly [string, ...string[]]): Promise<string> {
  const run = queue.then(async () => {
    const found = findBinary(binary);
    if (found !== undefined) return found;
    const [first, ...fallbacks] = packages;
    const output = await runScript([first, binary, ...fallbacks]);
    const installed = findBinary(binary);
    if (installed === undefined) {
      throw new Error(`${binary} is not installed and ${INSTALL_SCRIPT} could not install ${packages.join(' or ')}: ${output}`);
    }
    return installed;
  });
  queue = run.catch(() => undefined);
  return run;
}

/** Runs the install script; resolves with its stderr (its messages), whatever the exit code. */
function runScript(args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('sh', [INSTALL_SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => void (output = (output + chunk.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (error) => resolve(`${output}${error.message}`));
    child.once('close', (code, signal) => resolve(`${output.trim()} (exit ${signal ?? code})`));
  });
}
