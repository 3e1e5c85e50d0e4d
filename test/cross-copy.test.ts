// Every error class survives `instanceof` across two separately loaded
// copies of its package (two versions in node_modules, a bundle beside an
// install): an instance from one copy is an instance of the same class from
// the other, and of its parents, and of no sibling class. Jest's module
// registry cannot load a package twice, so a plain `node` child loads the
// built `dist` twice (see cross-copy/child.mjs) and reports JSON.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as api from '@pushwire/api';
import * as cli from '@pushwire/cli';
import * as connection from '@pushwire/connection';
import * as models from '@pushwire/models';
import * as pool from '@pushwire/pool';
import * as queue from '@pushwire/queue';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHILD = join(ROOT, 'test/cross-copy/child.mjs');
const SOURCES: Record<string, Record<string, unknown>> = { models, connection, pool, api, queue, cli };
const PACKAGES = Object.keys(SOURCES);

interface PackageReport {
  classes: string[];
  separate: boolean;
  checks: number;
  failures: string[];
}

/** Newest modification time of the `.ts` files under `dir`. */
function newest(dir: string): number {
  let time = 0;
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (file.endsWith('.ts')) time = Math.max(time, statSync(join(dir, file)).mtimeMs);
  }
  return time;
}

/** Whether a package's `dist` is missing or older than its sources (CI builds first; a bare jest run builds here). */
function stale(name: string): boolean {
  const info = join(ROOT, 'packages', name, 'tsconfig.tsbuildinfo');
  if (!existsSync(join(ROOT, 'packages', name, 'dist/index.js')) || !existsSync(info)) return true;
  return newest(join(ROOT, 'packages', name, 'src')) > statSync(info).mtimeMs;
}

function errorClassNames(module: Record<string, unknown>): string[] {
  return Object.keys(module)
    .filter((key) => {
      const value = module[key];
      return typeof value === 'function' && Object.prototype.isPrototypeOf.call(Error.prototype, value.prototype as object);
    })
    .sort();
}

describe('error classes across two copies of each package', () => {
  let report: Record<string, PackageReport>;

  beforeAll(() => {
    if (PACKAGES.some(stale)) execFileSync('npx', ['tsc', '-b', ...PACKAGES.map((name) => join(ROOT, 'packages', name))], { cwd: ROOT, stdio: 'inherit' });
    const out = execFileSync(process.execPath, [CHILD, ROOT, ...PACKAGES], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    report = JSON.parse(out) as Record<string, PackageReport>;
  }, 180_000);

  test('the child reports on every package', () => {
    expect(Object.keys(report).sort()).toEqual([...PACKAGES].sort());
  });

  test.each(PACKAGES)('@pushwire/%s: every exported error class, and only its own brand', (name) => {
    const result = report[name]!;
    // The built package exports the classes its sources do (a stale dist would differ).
    expect(result.classes).toEqual(errorClassNames(SOURCES[name]!));
    expect(result.classes.length).toBeGreaterThan(0);
    // Really two copies: each class exists twice.
    expect(result.separate).toBe(true);
    // Both directions, against every class the package exports.
    expect(result.checks).toBe(2 * result.classes.length ** 2);
    expect(result.failures).toEqual([]);
  });
});
