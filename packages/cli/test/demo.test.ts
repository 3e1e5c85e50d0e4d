import { describe, expect, test } from '@jest/globals';
import { ensureBuilt, runCli } from './helpers.js';

describe('pushwire demo', () => {
  test('--count 2000 sends through the embedded mock and prints the summary and throughput', async () => {
    ensureBuilt();
    const r = await runCli(['demo', '--count', '2000']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^pushwire demo: mock APNs at https:\/\//);
    expect(r.stdout).not.toContain('\r');
    expect(r.stdout).toMatch(/^progress: 2,000\/2,000 \(100\.0%\)/m);
    expect(r.stdout).toMatch(/^Summary$/m);
    expect(r.stdout).toMatch(/^total\s+2,000$/m);
    expect(r.stdout).toMatch(/^errors \(no answer\)\s+0$/m);
    expect(r.stdout).toMatch(/^throughput\s+[\d,]+\/s$/m);
    expect(r.stdout).toMatch(/^pushwire demo: 2,000 notifications in [\d.]+m?s, throughput [\d,]+\/s$/m);
  });
});
