// Packs every published package (the non-private ones under packages/) with
// the pinned pnpm, as `pnpm publish` would: `workspace:^` ranges become the
// real versions. Used by scripts/publint.mjs and scripts/consumer.mjs; run
// after `tsc -b` (the tarballs hold dist/).
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** `pnpm@<version>` from the root package.json's packageManager. */
export const PNPM = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).packageManager;

/** The published packages: `{ name, dir }` for each non-private packages/* entry. */
export function publishedPackages() {
  return readdirSync(join(ROOT, 'packages'))
    .map((name) => join(ROOT, 'packages', name))
    .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ pkg }) => pkg.private !== true)
    .map(({ dir, pkg }) => ({ name: pkg.name, version: pkg.version, dir }));
}

/** How to run the pinned pnpm: the one running this script (`pnpm run ci`), else through npx. */
function pnpmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath !== undefined && /pnpm/.test(execPath) && process.env.npm_config_user_agent?.startsWith(PNPM.replace('@', '/'))) {
    return [process.execPath, [execPath]];
  }
  return ['npx', ['-y', PNPM]];
}

/**
 * Packs each published package into `dest` (two at a time) and resolves
 * `[{ name, version, dir, tarball }]`, tarball being the absolute path.
 */
export async function packAll(dest) {
  const [command, prefix] = pnpmCommand();
  const pack = (p) =>
    new Promise((resolvePack, reject) => {
      execFile(command, [...prefix, 'pack', '--pack-destination', dest], { cwd: p.dir }, (error, _stdout, stderr) => {
        if (error) reject(new Error(`packing ${p.name} failed: ${stderr || error.message}`));
        // pnpm names the tarball <scope>-<name>-<version>.tgz.
        else resolvePack({ ...p, tarball: join(dest, `${p.name.replace(/^@/, '').replace('/', '-')}-${p.version}.tgz`) });
      });
    });
  const packages = publishedPackages();
  const packed = [];
  for (let i = 0; i < packages.length; i += 2) packed.push(...(await Promise.all(packages.slice(i, i + 2).map(pack))));
  for (const { tarball } of packed) if (!existsSync(tarball)) throw new Error(`pnpm pack wrote no ${tarball}`);
  return packed;
}
