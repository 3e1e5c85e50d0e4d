// `pnpm pack` of every published package, linted with publint --strict (a
// warning fails the run, as an error does), as part of `pnpm ci`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { packAll } from './pack.mjs';

const started = performance.now();
const dest = mkdtempSync(join(tmpdir(), 'pushwire-publint-'));
let failed = 0;
try {
  for (const { name, tarball } of await packAll(dest)) {
    const bytes = readFileSync(tarball);
    const { messages, pkg } = await publint({ pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) }, strict: true, level: 'suggestion' });
    // --strict: warnings count as errors; suggestions are shown but pass.
    const errors = messages.filter((m) => m.type === 'error' || m.type === 'warning');
    failed += errors.length;
    console.log(`${errors.length === 0 ? 'ok  ' : 'FAIL'} ${name} (${basename(tarball)}, ${bytes.length} bytes)`);
    for (const m of messages) console.log(`     ${m.type}: ${formatMessage(m, pkg, { color: false })}`);
  }
} finally {
  rmSync(dest, { recursive: true, force: true });
}
console.log(`publint --strict: ${failed === 0 ? 'every package passed' : `${failed} problem(s)`} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed === 0 ? 0 : 1);
