// The packages as a user gets them: `pnpm pack` every published package,
// `npm install` the tarballs together into a fresh folder (so the
// `workspace:^` ranges pnpm rewrote resolve to these tarballs), then:
//   1. without @pushwire/mock-server (an optional peer of the CLI): its
//      certificate library is not installed, `pushwire --help` works, and
//      `pushwire mock` / `demo` exit 2 naming the package to install;
//   2. with it: an ES module script and a CommonJS (`require`, no flag)
//      script send through @pushwire/api to the mock server, on this Node
//      and on the other supported majors (22, 24; the registry's Linux x64
//      binaries, as scripts/test-nodes.mjs uses), and `pushwire demo` runs;
//   3. TypeScript: a CommonJS file (`.cts`) importing @pushwire/api compiles
//      with `"module": "nodenext"`, and is refused with `"node16"` (TS1479).
// Run by `pnpm ci` after `tsc -b`. Needs the registry (or npm's cache) for
// the third-party dependencies. PUSHWIRE_KEEP_CONSUMER=1 keeps the folder.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PORTABLE, nodeFor, versionOf } from './fetch-node.mjs';
import { ROOT, packAll } from './pack.mjs';

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const base = mkdtempSync(join(tmpdir(), 'pushwire-consumer-'));
const app = join(base, 'app');
let failures = 0;

function check(what, ok, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${ok || detail === '' ? '' : `\n${detail}`}`);
  if (!ok) failures++;
}

function run(command, args, options = {}) {
  const r = spawnSync(command, args, { cwd: app, encoding: 'utf8', timeout: 120_000, ...options });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function npmInstall(tarballs) {
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs], { cwd: app, stdio: ['ignore', 'ignore', 'inherit'] });
}

const ESM = `import { MockApnsServer } from '@pushwire/mock-server';
import { Server } from '@pushwire/api';
const mock = await MockApnsServer.start({ auth: 'token' });
const { keyId, teamId, key } = mock.signingKey;
const client = await Server.custom(mock.origin, { token: { keyId, teamId, key } }, { ca: mock.ca }).createClient();
try {
  const apnsId = await client.sendNotification('ab'.repeat(32), { alert: 'from ESM' }, { topic: 'com.example.app' });
  console.log(\`esm sent \${apnsId}\`);
} finally {
  await client.close();
  await mock.stop();
}
`;

// require() of an ES module: natively on Node 20.19+ and 22.12+ (no flag).
const CJS = `'use strict';
const { Server, APNSRejection } = require('@pushwire/api');
if (typeof APNSRejection !== 'function') throw new Error('require() gave no APNSRejection');
(async () => {
  const { MockApnsServer } = await import('@pushwire/mock-server');
  const mock = await MockApnsServer.start({ auth: 'token' });
  const { keyId, teamId, key } = mock.signingKey;
  const client = await Server.custom(mock.origin, { token: { keyId, teamId, key } }, { ca: mock.ca }).createClient();
  try {
    const apnsId = await client.sendNotification('cd'.repeat(32), { alert: 'from CommonJS' }, { topic: 'com.example.app' });
    console.log(\`cjs sent \${apnsId}\`);
  } finally {
    await client.close();
    await mock.stop();
  }
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;

const CTS = `import { Server, type Client } from '@pushwire/api';
export async function connect(origin: string, key: string): Promise<Client> {
  return Server.custom(origin, { token: { keyId: 'ABC123DEFG', teamId: 'DEF123GHIJ', key } }).createClient();
}
`;

try {
  mkdirSync(join(base, 'tarballs'));
  const tarballs = await packAll(join(base, 'tarballs'));
  console.log(`packed ${tarballs.length} packages (${elapsed()})`);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pushwire-consumer', version: '0.0.0', private: true }, null, 2));

  // 1. Everything but the mock server.
  const mockTarball = tarballs.find((t) => t.name === '@pushwire/mock-server');
  npmInstall(tarballs.filter((t) => t !== mockTarball).map((t) => t.tarball));
  console.log(`npm install of ${tarballs.length - 1} tarballs (${elapsed()})`);
  const has = (name) => existsSync(join(app, 'node_modules', name, 'package.json'));
  check('@pushwire/cli installs without @pushwire/mock-server, @peculiar/x509 or node-forge', !has('@pushwire/mock-server') && !has('@peculiar/x509') && !has('node-forge'));
  const bin = join(app, 'node_modules', '.bin', 'pushwire');
  const help = run(bin, ['--help']);
  check('pushwire --help works without the mock server', help.code === 0 && help.stdout.includes('Exit codes:'), help.output);
  for (const command of ['mock', 'demo']) {
    const r = run(bin, [command]);
    check(
      `pushwire ${command} without it: exit 2 and an install hint`,
      r.code === 2 && r.stdout === '' && r.stderr === `error: pushwire ${command} needs the optional package @pushwire/mock-server, which is not installed: npm i @pushwire/mock-server (next to @pushwire/cli; with -g if the CLI is installed globally)\n`,
      r.output,
    );
  }

  // 2. With the mock server: ESM, CommonJS, the demo.
  npmInstall([mockTarball.tarball]);
  console.log(`npm install of @pushwire/mock-server (${elapsed()})`);
  writeFileSync(join(app, 'esm.mjs'), ESM);
  writeFileSync(join(app, 'cjs.cjs'), CJS);
  const current = process.versions.node.split('.')[0];
  const nodes = [process.execPath, ...(PORTABLE ? ['20', '22', '24'].filter((m) => m !== current).map((m) => nodeFor(m)) : [])];
  for (const node of nodes) {
    const version = node === process.execPath ? process.version : versionOf(node);
    const esm = run(node, ['esm.mjs']);
    check(`ESM import of @pushwire/api sends (${version})`, esm.code === 0 && /^esm sent [0-9a-f-]{36}\n$/i.test(esm.stdout) && esm.stderr === '', esm.output);
    const cjs = run(node, ['cjs.cjs']);
    check(`CommonJS require() of @pushwire/api sends, no flag, no warning (${version})`, cjs.code === 0 && /^cjs sent [0-9a-f-]{36}\n$/i.test(cjs.stdout) && cjs.stderr === '', cjs.output);
  }
  const demo = run(bin, ['demo', '--count', '200', '--no-progress']);
  check('pushwire demo with @pushwire/mock-server installed', demo.code === 0, demo.output);

  // 3. TypeScript, CommonJS caller.
  writeFileSync(join(app, 'client.cts'), CTS);
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const tscArgs = (module) => [tsc, '--noEmit', '--strict', '--skipLibCheck', '--module', module, '--moduleResolution', module, '--target', 'es2022', '--typeRoots', join(ROOT, 'node_modules', '@types'), '--types', 'node', 'client.cts'];
  const nodenext = run(process.execPath, tscArgs('nodenext'));
  check('TypeScript: a .cts file importing @pushwire/api compiles with "module": "nodenext"', nodenext.code === 0, nodenext.output);
  const node16 = run(process.execPath, tscArgs('node16'));
  check('TypeScript: with "module": "node16" it is refused (TS1479: use await import())', node16.code !== 0 && node16.stdout.includes('TS1479'), node16.output);
} finally {
  if (process.env.PUSHWIRE_KEEP_CONSUMER === '1') console.log(`kept ${base}`);
  else rmSync(base, { recursive: true, force: true });
}
console.log(`consumer test: ${failures === 0 ? 'passed' : `${failures} check(s) failed`} in ${elapsed()}`);
process.exit(failures === 0 ? 0 : 1);
