/**
 * `pnpm bench`: starts each target server in its own process, runs every client in its
 * own child process (alternating, `--repeat` times), checks every answer was a 200,
 * prints the tables and the issue's targets, and writes the results JSON.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type Options } from './args.js';
import { checkFlat, checkTargets, formatChecks, serverDetail, type Check } from './checks.js';
import { load1, machine } from './machine.js';
import { runChild } from './spawn.js';
import { summarize } from './stats.js';
import { burstTable, engineTable, flatTable, mainTable, naiveTable, ratioTable, topReasons } from './table.js';
import { startMock } from './targets/mock.js';
import { startNginx } from './targets/nginx.js';
import type { RunningTarget, SkippedTarget } from './targets/types.js';
import { NAIVE, RANKED, type ClientName, type RunResult, type RunSpec, type ServerCount, type TargetName } from './types.js';
import { PAYLOAD_JSON, TOPIC } from './workload.js';

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));
const FETCH_NODE = fileURLToPath(new URL('../../scripts/fetch-node.mjs', import.meta.url));

/** `--node 24` → that major's binary from the npm registry (cached); a path stays a path. */
function nodeBinary(node: string | undefined): string {
  if (node === undefined) return process.execPath;
  if (!/^\d+$/.test(node)) return node;
  return execFileSync(process.execPath, [FETCH_NODE, node], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

interface TargetReport {
  readonly target: TargetName;
  readonly description?: string;
  readonly skipped?: string;
  readonly runs: RunResult[];
  readonly naive: RunResult[];
  /** The server died during these runs and was restarted for the next one. */
  readonly deaths: string[];
  burst?: RunResult;
  sendMany1M?: RunResult;
  /** `--huge`: one sendMany over a generator, with its RSS samples. */
  huge?: RunResult;
  /** `--cli-bulk`: `pushwire bulk --tokens <file>`, the CLI process's measures. */
  cliBulk?: RunResult;
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
    return;
  }
  const started = Date.now();
  const execPath = nodeBinary(options.node);
  options = { ...options, node: execPath };
  const host = machine(execPath);
  const loadStart = load1();
  const stamp = new Date().toISOString().replaceAll(':', '-').replace(/\..*/, '');
  const tmp = mkdtempSync(join(tmpdir(), 'pushwire-bench-'));
  const profileDir = options.profile ? join(RESULTS, 'profiles', stamp) : undefined;
  console.log(`pushwire bench: n=${options.n.toLocaleString('en-US')}, repeat=${options.repeat}, targets=${options.targets.join('+')}`);
  console.log(`machine: ${host.nproc} cores (${host.cpu}), ${host.memory}, node ${host.node}, load ${loadStart.toFixed(2)}`);
  console.log(`peers: @parse/node-apn ${host.peers['@parse/node-apn']}, apns2 ${host.peers['apns2']}\n`);

  const reports: TargetReport[] = [];
  // The naive forms, the burst and --big run once, on the first target that
  // starts (nginx, a server we did not write, unless it is skipped).
  let onceDone = false;
  try {
    for (const name of options.targets) {
      const server = await start(name, join(tmp, name), options.serverCount);
      if ('skipped' in server) {
        console.log(`[${name}] skipped: ${server.skipped}\n`);
        reports.push({ target: name, skipped: server.skipped, runs: [], naive: [], deaths: [] });
        continue;
      }
      console.log(`[${name}] ${server.description} at ${server.info.origin}`);
      const report: TargetReport = { target: name, description: server.description, runs: [], naive: [], deaths: [] };
      reports.push(report);
      const live = { server };
      try {
        const once = !onceDone;
        onceDone = true;
        await runTarget(live, () => start(name, join(tmp, `${name}-${report.deaths.length}`), options.serverCount), options, report, once, profileDir);
      } finally {
        await live.server.stop();
      }
      console.log('');
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const checks: Check[] = [];
  for (const report of reports) {
    if (report.skipped) continue;
    const summaries = summarize(report.runs);
    checks.push(...checkTargets(summaries, report.sendMany1M), ...checkFlat(report.target, report.huge, report.cliBulk));
    console.log(`## ${report.target}: ${report.description}\n`);
    if (summaries.length) console.log(mainTable(summaries));
    const ratios = ratioTable(summaries);
    if (ratios) console.log(`\n${ratios}\n(* = a row with failed runs)`);
    const engines = engineTable(summaries);
    if (engines) console.log(`\n${engines}\n(CPU: CPU s per notification; * = a row with failed runs)`);
    if (report.naive.length) console.log(`\n${naiveTable(report.naive)}`);
    if (report.burst) console.log(`\n${burstTable(report.burst)}`);
    for (const death of report.deaths) console.log(`\nNote: ${death}`);
    if (report.sendMany1M) console.log(`\n${naiveTable([report.sendMany1M]).replace('client (one call, all tokens)', 'sendMany, one call        ')}`);
    const flat = [report.huge, report.cliBulk].filter((r): r is RunResult => r !== undefined);
    if (flat.length) console.log(`\n${flatTable(flat, options.hugeCollect)}`);
    console.log('');
  }
  if (checks.length) console.log(`${formatChecks(checks)}\n`);

  const seconds = (Date.now() - started) / 1000;
  const loadEnd = load1();
  console.log(`total ${seconds.toFixed(0)} s; load average ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at end`);
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, `${stamp}.json`);
  const json = JSON.stringify(
    { date: new Date().toISOString(), seconds, options, machine: { ...host, load: `${loadStart.toFixed(2)} → ${loadEnd.toFixed(2)}` }, reports, summaries: reports.map((r) => summarize(r.runs)), checks },
    null,
    2,
  );
  writeFileSync(file, json);
  writeFileSync(join(RESULTS, 'latest.json'), json);
  console.log(`results: ${file}${profileDir ? `\nprofiles: ${profileDir}` : ''}`);
}

function start(name: TargetName, dir: string, serverCount: boolean): Promise<RunningTarget | SkippedTarget> {
  return name === 'mock' ? startMock(dir) : startNginx(serverCount);
}

/** A request line of nginx's access log (`@pushwire/test-servers`' format): the token and the status. */
const LOGGED = /"POST \/3\/device\/([^ "]*) HTTP\/2\.0" (\d{3}) /;

/**
 * Counts the access-log lines after `offset` (the previous run's end): every line, the
 * 200s to `/3/device/<token>`, and their distinct tokens. nginx writes a line as it
 * finishes a request, so the count is re-read until it reaches `n` or stops growing.
 */
async function countServer(log: () => string, offset: number, n: number): Promise<{ count: ServerCount; end: number }> {
  let text = log();
  for (let tries = 0; countLines(text, offset) < n && tries < 15; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = log();
    if (again.length === text.length && tries >= 4) break; // a second without a new line
    text = again;
  }
  let lines = 0;
  let ok = 0;
  const tokens = new Set<string>();
  for (let start = offset; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (end > start) {
      lines++;
      const match = LOGGED.exec(text.slice(start, end));
      if (match?.[2] === '200') {
        ok++;
        tokens.add(match[1]!);
      }
    }
    start = end + 1;
  }
  return { count: { lines, ok, distinct: tokens.size }, end: text.length };
}

function countLines(text: string, offset: number): number {
  let lines = 0;
  for (let i = text.indexOf('\n', offset); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}

async function runTarget(
  live: { server: RunningTarget },
  restart: () => Promise<RunningTarget | SkippedTarget>,
  options: Options,
  report: TargetReport,
  once: boolean,
  profileDir: string | undefined,
): Promise<void> {
  const timeoutMs = options.timeout * 1000;
  if (options.serverCount && !live.server.requestLog) console.log(`  (--server-count: ${live.server.info.name} keeps no request log; only nginx is counted)`);
  // Where the server's request log ended after the previous run; a fresh server's
  // log may already hold the readiness probe's request, which belongs to no run.
  let logOffset = live.server.requestLog?.().length ?? 0;
  const one = async (client: ClientName, n: number, label: string, extra: Partial<RunSpec> = {}): Promise<RunResult> => {
    const target = live.server.info;
    const spec: RunSpec = { client, n, target, topic: TOPIC, payload: PAYLOAD_JSON, ...extra };
    const serverCpu = live.server.cpuUs?.();
    let result = await runChild(spec, {
      execPath: options.node ?? process.execPath,
      timeoutMs: Math.max(timeoutMs, (n / 100_000) * timeoutMs * 0.6),
      ...(profileDir ? { profileDir, profileName: `${target.name}-${label.replaceAll(/\W+/g, '_')}-${client}.cpuprofile` } : {}),
    });
    const serverCpuAfter = live.server.cpuUs?.();
    if (serverCpu !== undefined && serverCpuAfter !== undefined) result = { ...result, serverCpuUs: serverCpuAfter - serverCpu };
    const log = live.server.requestLog;
    if (log) {
      try {
        const { count, end } = await countServer(log, logOffset, n);
        logOffset = end;
        result = { ...result, serverCount: count };
      } catch (error) {
        // A log past V8's longest string (~512 MB, ~2.7M requests) cannot be read whole.
        console.log(`  (--server-count: could not read the access log: ${(error as Error).message})`);
      }
    }
    console.log(progress(target.name, label, result));
    const death = live.server.death();
    if (death !== undefined) {
      const note = `the ${target.name} server died during ${client} (${label}): ${death}`;
      console.log(`  !! ${note}; restarting it`);
      report.deaths.push(note);
      const next = await restart();
      if ('skipped' in next) throw new Error(`could not restart ${target.name}: ${next.skipped}`);
      live.server = next;
      logOffset = next.requestLog?.().length ?? 0;
    }
    return result;
  };

  const ranked = RANKED.filter((c) => options.only.includes(c));
  for (let round = 1; round <= options.repeat; round++) {
    for (const client of ranked) report.runs.push(await one(client, options.n, `${round}/${options.repeat}`));
  }
  if (once && options.naive) {
    for (const client of NAIVE.filter((c) => options.only.includes(c))) report.naive.push(await one(client, options.n, 'naive'));
  }
  if (once && options.burst > 0 && options.only.includes('pushwire-burst')) {
    report.burst = await one('pushwire-burst', options.burst, 'burst');
  }
  if (once && options.big > 0 && options.only.includes('pushwire-sendmany')) {
    report.sendMany1M = await one('pushwire-sendmany', options.big, 'big');
  }
  // The flat-memory rows (issue #17) run on every target: the issue asks for both.
  if (options.huge > 0 && options.only.includes('pushwire-huge')) {
    report.huge = await one('pushwire-huge', options.huge, 'huge', { collect: options.hugeCollect });
  }
  if (options.cliBulk > 0 && options.only.includes('pushwire-cli-bulk')) {
    report.cliBulk = await one('pushwire-cli-bulk', options.cliBulk, 'cli-bulk');
  }
}

function progress(target: TargetName, label: string, r: RunResult): string {
  const rate = Math.round(r.ok / (r.elapsedMs / 1000));
  const head = `[${target} ${label}] ${r.client.padEnd(22)}`;
  const server = r.serverCount ? `  [${serverDetail(r.serverCount)}]` : '';
  if (r.error) return `${head} INVALID: ${r.error}${server}`;
  return (
    `${head} ${r.ok.toLocaleString('en-US').padStart(9)} ok ${r.failed.toLocaleString('en-US').padStart(7)} failed ` +
    `${rate.toLocaleString('en-US').padStart(7)}/s  cpu ${(r.cpuUs / 1e6).toFixed(1)} s  peak RSS ${Math.round(r.peakRss / 2 ** 20)} MB` +
    (r.serverCpuUs === undefined ? '' : `  server cpu ${(r.serverCpuUs / 1e6).toFixed(1)} s`) +
    (r.failed ? `  (${topReasons(r.failures, 2)})` : '') +
    server
  );
}

await main();
