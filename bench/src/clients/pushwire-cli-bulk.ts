import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { EngineName } from '@pushwire/api';
import { sampleEvery } from '../measure.js';
import type { Outcome, RunSpec } from '../types.js';
import { countFailure } from '../workload.js';
import { generatedTokens, SAMPLE_MS } from './pushwire-huge.js';

/** The CLI's executable, built by `tsc -b` (bench/dist/clients/ → packages/cli/dist/). */
const CLI = fileURLToPath(new URL('../../../packages/cli/dist/bin.js', import.meta.url));

/** Connections, as in the sendMany rows. */
const CONNECTIONS = 4;

/**
 * Loaded into the CLI's process with `--import`: at exit it writes the kernel's peak
 * RSS and the CPU time to the file `PUSHWIRE_BENCH_USAGE` names. Measurement only.
 */
const USAGE_HOOK =
  'data:text/javascript,import{writeFileSync}from"node:fs";process.on("exit",()=>{const u=process.resourceUsage();' +
  'writeFileSync(process.env.PUSHWIRE_BENCH_USAGE,JSON.stringify({maxRSS:u.maxRSS*1024,cpuUs:u.userCPUTime+u.systemCPUTime}))})';

/** The RSS of process `pid` from `/proc/<pid>/status` (Linux), in bytes; undefined once it is gone. */
function procRss(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `pushwire bulk --tokens <file>` (issue #17): `spec.n` tokens written to a file (not
 * timed), then the CLI run against the target with its CA, the target's signing key
 * (`--key-file`, mode 0600), the bench payload and NDJSON results to `--out`. The
 * numbers are the CLI process's: wall time from spawn to exit, peak RSS and CPU time
 * (its own `process.resourceUsage()` at exit) and RSS from `/proc/<pid>/status` every
 * second. Every NDJSON line is then counted: `"status":200` or a failure by reason.
 * The CLI has no engine flag: its process gets `PUSHWIRE_ENGINE=<engine>` (the row's,
 * the wire engine), which the connection tier reads when no option names one.
 */
export async function run(spec: RunSpec, engine: EngineName): Promise<Outcome> {
  const { target } = spec;
  const dir = mkdtempSync(join(tmpdir(), 'pushwire-cli-bulk-'));
  try {
    const tokens = join(dir, 'tokens.txt');
    const keyFile = join(dir, `AuthKey_${target.signingKey.keyId}.p8`);
    const payload = join(dir, 'payload.json');
    const out = join(dir, 'results.ndjson');
    const usageFile = join(dir, 'usage.json');
    writeTokenFile(tokens, spec.n);
    writeFileSync(keyFile, target.signingKey.key, { mode: 0o600 });
    writeFileSync(payload, spec.payload);

    const args = [
      '--import', USAGE_HOOK, CLI, 'bulk',
      '--env', target.origin, '--ca', target.caFile,
      '--key-file', keyFile, '--key-id', target.signingKey.keyId, '--team-id', target.signingKey.teamId,
      '--topic', spec.topic, '--push-type', 'alert', '--payload', payload,
      '--tokens', tokens, '--out', out, '--no-progress', '--connections', String(CONNECTIONS),
    ];
    const started = performance.now();
    const cli = spawn(process.execPath, args, { env: { ...process.env, PUSHWIRE_ENGINE: engine, PUSHWIRE_BENCH_USAGE: usageFile }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000);
    };
    cli.stdout.on('data', keep);
    cli.stderr.on('data', keep);
    const pid = cli.pid as number;
    const rss = sampleEvery(SAMPLE_MS, () => procRss(pid));
    const [code, signal] = (await once(cli, 'exit')) as [number | null, NodeJS.Signals | null];
    const elapsedMs = performance.now() - started;
    const rssSamples = rss.stop();
    let usage: { maxRSS: number; cpuUs: number } = { maxRSS: NaN, cpuUs: NaN };
    try {
      usage = JSON.parse(readFileSync(usageFile, 'utf8')) as typeof usage;
    } catch {
      // killed before its exit hook ran: only the samples are known
    }

    const failures: Record<string, number> = {};
    let ok = 0;
    let lines = 0;
    try {
      for await (const line of createInterface({ input: createReadStream(out), crlfDelay: Infinity })) {
        if (line === '') continue;
        lines++;
        if (line.includes('"status":200,')) {
          ok++;
          continue;
        }
        const result = JSON.parse(line) as { status: number | null; reason?: string; error?: string };
        countFailure(failures, result.status === null ? `error ${result.error ?? ''}` : `${result.status} ${result.reason ?? ''}`);
      }
    } catch (error) {
      countFailure(failures, `reading --out: ${(error as Error).message}`);
    }
    if (lines < spec.n) countFailure(failures, `no result line (CLI exited ${signal ?? code}: ${output.trim().split('\n').slice(-2).join(' | ')})`, spec.n - lines);
    return {
      ok,
      failed: spec.n - ok,
      failures,
      rssSamples,
      process: {
        elapsedMs,
        cpuUs: usage.cpuUs,
        peakRss: Math.max(usage.maxRSS, ...rssSamples),
        baseRss: rssSamples[0] ?? NaN,
      },
      extra: { exitCode: code ?? NaN },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One token per line, written in blocks of 10,000 lines. */
function writeTokenFile(path: string, n: number): void {
  const block: string[] = [];
  writeFileSync(path, '');
  for (const token of generatedTokens(n)) {
    block.push(token);
    if (block.length === 10_000) {
      writeFileSync(path, `${block.join('\n')}\n`, { flag: 'a' });
      block.length = 0;
    }
  }
  if (block.length > 0) writeFileSync(path, `${block.join('\n')}\n`, { flag: 'a' });
}
