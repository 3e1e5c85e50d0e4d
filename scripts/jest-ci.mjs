// Runs the whole Jest suite for `pnpm ci`. A suite whose Jest worker is
// killed by a signal (a native crash inside Node, e.g. in node:http2 while a
// fault test tears connections down; no test had failed) is run once more,
// and the rerun says so. Any failed test, or a suite that crashes twice,
// fails the run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const JEST = ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--ci'];
const WORKER_KILLED = /jest worker process \(pid=\d+\) was terminated by another process: signal=SIG[A-Z]+/;

function jest(args) {
  return spawnSync(process.execPath, [...JEST, ...args], { stdio: 'inherit' }).status ?? 1;
}

const dir = mkdtempSync(join(tmpdir(), 'pushwire-jest-'));
const report = join(dir, 'results.json');
let status;
let results;
try {
  status = jest(['--json', `--outputFile=${report}`, ...process.argv.slice(2)]);
  results = status === 0 ? undefined : JSON.parse(readFileSync(report, 'utf8'));
} catch {
  results = undefined;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (status === 0 || results === undefined) process.exit(status ?? 1);

const failedSuites = results.testResults.filter((suite) => suite.status === 'failed');
const crashed = failedSuites.filter(
  (suite) => WORKER_KILLED.test(suite.message) && suite.assertionResults.every((test) => test.status !== 'failed'),
);
if (results.numFailedTests > 0 || crashed.length === 0 || crashed.length !== failedSuites.length) process.exit(status);

const paths = crashed.map((suite) => suite.name);
console.error(
  `\n${paths.length} suite(s) lost their Jest worker to a signal (a crash inside Node, not a failed test); running them once more:\n` +
    paths.map((path) => `  ${relative(process.cwd(), path)}`).join('\n') +
    '\n',
);
process.exit(jest(['--runTestsByPath', ...paths]));
