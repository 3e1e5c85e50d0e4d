// The workspace's shape, as issue 2 sets it: each package exports only its
// built entry with types, each tsconfig references exactly the workspace
// packages it depends on and only tiers below it, the toolchain is pinned,
// and the README's Quick start is the two commands `.ci/run` relies on.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const json = <T>(path: string): T => JSON.parse(read(path)) as T;

/** Tier of each package: a package may depend only on lower tiers. */
const TIERS: Record<string, number> = { models: 0, connection: 1, pool: 2, api: 3, 'mock-server': 3, queue: 4, cli: 5 };
/** mock-server is an independent oracle: it may not use the packages it tests. */
const INDEPENDENT = new Set(['mock-server']);

interface PackageJson {
  name: string;
  type?: string;
  engines?: { node?: string };
  exports?: unknown;
  files?: string[];
  license?: string;
  homepage?: string;
  repository?: { type?: string; url?: string; directory?: string };
  bugs?: { url?: string };
  publishConfig?: { access?: string };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/**
 * Module specifiers the built files of `dir` import: in `types`, every one
 * in `.d.ts` files; in `js`, the static ones (`from '...'`) in `.js` files
 * (an optional dependency may only be loaded on demand).
 */
function builtImportsByKind(dir: string): { js: Set<string>; types: Set<string> } {
  const dist = join(ROOT, dir, 'dist');
  // CI builds first; a bare `jest` run builds here.
  if (!existsSync(dist)) execFileSync('npx', ['tsc', '-b', join(ROOT, dir)], { stdio: 'inherit' });
  const js = new Set<string>();
  const types = new Set<string>();
  for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
    const [pattern, into] = file.endsWith('.d.ts') ? [/(?:from |import\()'([^']+)'/g, types] : file.endsWith('.js') ? [/^(?:import|export) [^;]*?from '([^']+)'/gm, js] : [undefined, js];
    if (pattern === undefined) continue;
    for (const match of readFileSync(join(dist, file), 'utf8').matchAll(pattern)) into.add(match[1]!);
  }
  return { js, types };
}

const referencedPackages = (dir: string): string[] =>
  json<{ references?: Array<{ path: string }> }>(`${dir}/tsconfig.json`).references?.map((r) => r.path.split('/').pop()!) ?? [];

/** Workspace packages `pkg` builds against: its dependencies and peer dependencies (optional ones too). */
const workspaceDeps = (pkg: PackageJson): string[] =>
  Object.entries({ ...pkg.dependencies, ...pkg.peerDependencies })
    .filter(([name, spec]) => name.startsWith('@pushwire/') && spec.startsWith('workspace:'))
    .map(([name]) => name.slice('@pushwire/'.length));

describe('workspace', () => {
  test.each(Object.keys(TIERS))('@pushwire/%s exports only its built entry, with types', (name) => {
    const pkg = json<PackageJson>(`packages/${name}/package.json`);
    expect(pkg.name).toBe(`@pushwire/${name}`);
    expect(pkg.type).toBe('module');
    expect(pkg.engines?.node).toMatch(/^>=20(\.\d+)*$/);
    expect(pkg.exports).toEqual({ '.': { types: './dist/index.d.ts', default: './dist/index.js' } });
    // src/ ships beside dist/ so the source and declaration maps resolve.
    expect(pkg.files).toEqual(['dist', 'src', 'CHANGELOG.md']);
  });

  test.each(Object.keys(TIERS))('@pushwire/%s is ready to publish: MIT LICENSE, repository, homepage, bugs, public access, CHANGELOG, install line', (name) => {
    const pkg = json<PackageJson>(`packages/${name}/package.json`);
    expect(pkg.license).toBe('MIT');
    expect(pkg.repository).toEqual({ type: 'git', url: 'git+https://github.com/pushwire/pushwire.git', directory: `packages/${name}` });
    expect(pkg.homepage).toBe(`https://github.com/pushwire/pushwire/tree/main/packages/${name}#readme`);
    expect(pkg.bugs).toEqual({ url: 'https://github.com/pushwire/pushwire/issues' });
    expect(pkg.publishConfig).toEqual({ access: 'public' });
    expect(read(`packages/${name}/LICENSE`)).toBe(read('LICENSE'));
    expect(read(`packages/${name}/CHANGELOG.md`)).toMatch(new RegExp(`^# @pushwire/${name}\n`));
    expect(read(`packages/${name}/README.md`)).toMatch(new RegExp(`\\bnpm i (-D )?@pushwire/${name}\\b`));
  });

  test.each(Object.keys(TIERS))('%s: tsconfig references = its workspace dependencies, all from lower tiers', (name) => {
    const refs = referencedPackages(`packages/${name}`);
    const deps = workspaceDeps(json<PackageJson>(`packages/${name}/package.json`));
    expect([...refs].sort()).toEqual([...deps].sort());
    for (const ref of refs) {
      expect(TIERS[ref]).toBeLessThan(TIERS[name]!);
      expect(INDEPENDENT.has(name)).toBe(false);
    }
  });

  test.each(Object.keys(TIERS))('%s: built code and types import only its dependencies (never dev or optional ones)', (name) => {
    const pkg = json<PackageJson>(`packages/${name}/package.json`);
    const required = new Set([
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {}).filter((dep) => pkg.peerDependenciesMeta?.[dep]?.optional !== true),
    ]);
    const optional = Object.keys(pkg.peerDependencies ?? {}).filter((dep) => pkg.peerDependenciesMeta?.[dep]?.optional === true);
    const allowed = (packageName: string, inTypes: boolean): boolean => required.has(packageName) || (inTypes && optional.includes(packageName));
    const packageOf = (specifier: string): string => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
    const { js, types } = builtImportsByKind(`packages/${name}`);
    for (const [specifiers, inTypes] of [
      [js, false],
      [types, true],
    ] as const) {
      for (const specifier of specifiers) {
        if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
        // Types may name an optional peer (the JS loads it on demand only); code may not import it statically.
        expect({ specifier, inTypes, allowed: allowed(packageOf(specifier), inTypes) }).toEqual({ specifier, inTypes, allowed: true });
      }
    }
  });

  test('toolchain pinned: pnpm in packageManager, Node >= 20 in engines, TypeScript 6 (compiler API for typescript-eslint)', () => {
    const root = json<PackageJson & { packageManager?: string; devDependencies: Record<string, string> }>('package.json');
    expect(root.packageManager).toMatch(/^pnpm@\d+\.\d+\.\d+$/);
    expect(root.engines?.node).toMatch(/^>=20/);
    expect(root.devDependencies['typescript']).toMatch(/^~6\./);
    expect(root.devDependencies['fast-check']).toBeDefined();
    expect(read('pnpm-lock.yaml').length).toBeGreaterThan(0);
  });

  test('ci runs the Jest suite on every supported Node major (20, 22, 24), which README and engines name', () => {
    const root = json<PackageJson & { scripts: Record<string, string> }>('package.json');
    expect(root.scripts['ci']).toMatch(/&& node scripts\/test-nodes\.mjs$/);
    expect(read('scripts/test-nodes.mjs')).toContain("const SUPPORTED = ['20', '22', '24'];");
    expect(read('README.md')).toContain('Node 20, 22 and 24');
    expect(root.engines?.node).toMatch(/^>=20\./);
    expect(read('.gitignore')).toMatch(/^\.cache\/$/m);
  });

  test('README: Quick start is one sh block of two lines (demo, then tests); .ci/run runs the second with CI=true', () => {
    const readme = read('README.md');
    const quickStart = /## Quick start\s+```sh\n([\s\S]*?)```/.exec(readme);
    expect(quickStart).not.toBeNull();
    const lines = quickStart![1]!.trim().split('\n');
    expect(lines).toHaveLength(2);
    const pnpm = /^npx -y (pnpm@\d+\.\d+\.\d+) /.exec(lines[0]!)![1];
    expect(json<{ packageManager: string }>('package.json').packageManager).toBe(pnpm);
    expect(lines[0]).toMatch(/install --frozen-lockfile && .* run demo$/);
    expect(lines[1]).toMatch(/install --frozen-lockfile && .* run ci$/);
    const ci = read('.ci/run');
    expect(ci).toContain('export CI=true');
    expect(ci).toContain(lines[1]!);
    expect(readme).toMatch(/## Development[\s\S]*TypeScript 6\.0[\s\S]*@swc\/jest/);
  });
});
