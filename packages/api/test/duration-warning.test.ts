/**
 * #16: durations are milliseconds. aapns' `timeout=10` (seconds) would be
 * 10 ms here, so a `timeout` or `attemptTimeout` under 100 ms emits a
 * `process` warning with the seconds reading, once per option: a warning,
 * not an error, as tiny timeouts are legitimate in tests.
 *
 * Run in a child process on the built package: Jest gives each test file a
 * copy of `process` whose `'warning'` listeners never hear
 * `process.emitWarning`, and the listener is what an app would use.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, test } from '@jest/globals';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const API = join(ROOT, 'packages/api/dist/index.js');

beforeAll(() => {
  // CI runs `tsc -b` first; a fresh checkout builds here.
  if (!existsSync(API)) execFileSync('npx', ['tsc', '-b', 'packages/api'], { cwd: ROOT, stdio: 'inherit' });
});

/** The app: a listener on `process.on('warning')`, then the clients; prints what the listener heard. */
const SCRIPT = `
import { generateKeyPairSync } from 'node:crypto';
import { Server } from ${JSON.stringify(API)};
const heard = [];
process.on('warning', (w) => heard.push({ name: w.name, code: w.code, message: w.message }));
const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
const server = Server.custom('https://localhost:1', { token: { keyId: 'ABC123DEFG', teamId: 'DEF123GHIJ', key } });
const step = async (label, options) => {
  const before = heard.length;
  const client = await server.createClient(options);
  await client.close();
  await new Promise((resolve) => setImmediate(resolve));
  return [label, heard.slice(before)];
};
const steps = [
  await step('timeout 10', { timeout: 10 }),
  await step('timeout 10 again', { timeout: 10 }),
  await step('attemptTimeout 20', { timeout: 1_000, attemptTimeout: 20 }),
  await step('timeout 100', { timeout: 100 }),
];
console.log(JSON.stringify(Object.fromEntries(steps)));
`;

test('createClient({ timeout: 10 }) warns once with the seconds reading; attemptTimeout has its own warning; 100 ms is quiet', () => {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { encoding: 'utf8', timeout: 20_000 });
  expect(child.status).toBe(0);
  const steps = JSON.parse(child.stdout) as Record<string, Array<{ name: string; code: string; message: string }>>;
  expect(steps['timeout 10']).toEqual([
    {
      name: 'PushwireWarning',
      code: 'PUSHWIRE_DURATION_UNITS',
      message: '`timeout: 10` is 10 ms (durations are milliseconds): did you mean 10000 ms (10 s)?',
    },
  ]);
  expect(steps['timeout 10 again']).toEqual([]);
  expect(steps['attemptTimeout 20']).toEqual([
    expect.objectContaining({ code: 'PUSHWIRE_DURATION_UNITS', message: expect.stringContaining('`attemptTimeout: 20` is 20 ms (durations are milliseconds): did you mean 20000 ms (20 s)?') }),
  ]);
  expect(steps['timeout 100']).toEqual([]);
  // Node's own printer shows it too (the default for an app without a listener).
  expect(child.stderr).toContain('PushwireWarning: `timeout: 10` is 10 ms');
});
