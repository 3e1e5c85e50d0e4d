import { flatness, quarterMean } from './measure.js';
import { isValid, type Summary } from './stats.js';
import type { ClientName, RunResult, ServerCount } from './types.js';

export interface Check {
  /** The issue whose target this is. */
  readonly issue: number;
  readonly target: string;
  readonly what: string;
  /** `undefined` when a row it needs did not run. */
  readonly met: boolean | undefined;
  readonly detail: string;
}

const MB = 1024 * 1024;

/**
 * The plain node:http2 row the wire engine is measured against (issue #15): one session,
 * 1,000 streams in flight. It is the fastest, cheapest and smallest of the two plain
 * rows on this 2-core machine (four sessions cost node:http2 more CPU than one), so it
 * is the strictest baseline, and the one Pool(1) was always compared with.
 */
export const ENGINE_BASELINE: ClientName = 'http2-1';

/**
 * The issues' targets, checked against one target server's summaries.
 *
 * Issue #15 (the wire engine): `pushwire-sendmany` and `pushwire-pool-1` (wire) at ≥ 3x
 * the notifications/s of {@link ENGINE_BASELINE} and ≤ 0.3x its client CPU per
 * notification; sendMany's peak RSS ≤ the baseline's; zero failures on every wire row.
 *
 * Issue #10: "Pool ≥ 0.9x node:http2" measured pushwire's overhead over the node:http2
 * underneath it, so it now compares the `-node` rows (Pool(1) with one session, Pool(4)
 * with four); on the wire engine node:http2 is no longer underneath, and the 3x targets
 * above replace it. The rest (Pool ≥ 1.4x node-apn, sendMany within 10% of Pool(4), zero
 * failures, RSS vs the peers, the million) are engine-free and check the wire rows,
 * the engine pushwire ships.
 */
export function checkTargets(summaries: readonly Summary[], sendMany1M: RunResult | undefined): Check[] {
  const target = summaries[0]?.target ?? '';
  const get = (c: ClientName): Summary | undefined => summaries.find((s) => s.client === c);
  const checks: Check[] = [];
  const invalid = (x: Summary, y: Summary): string => (x.valid && y.valid ? '' : ', a row is invalid');
  const rateCheck = (issue: number, what: string, a: ClientName, b: ClientName, min: number): void => {
    const x = get(a);
    const y = get(b);
    if (!x || !y) return;
    const r = x.rate / y.rate;
    checks.push({
      issue,
      target,
      what,
      met: x.valid && y.valid && r >= min,
      detail: `${r.toFixed(2)}x (${Math.round(x.rate)} vs ${Math.round(y.rate)}/s)${invalid(x, y)}`,
    });
  };
  const cpuCheck = (issue: number, what: string, a: ClientName, b: ClientName, max: number): void => {
    const x = get(a);
    const y = get(b);
    if (!x || !y) return;
    const r = x.cpuPer100k / y.cpuPer100k;
    checks.push({
      issue,
      target,
      what,
      met: x.valid && y.valid && r <= max,
      detail: `${r.toFixed(3)}x (${x.cpuPer100k.toFixed(2)} vs ${y.cpuPer100k.toFixed(2)} CPU s per 100k)${invalid(x, y)}`,
    });
  };
  const zero = (issue: number, what: string, client: ClientName): void => {
    const x = get(client);
    if (!x) return;
    checks.push({ issue, target, what, met: x.valid, detail: `${x.failed} failed over ${x.runs} runs` });
  };

  // Issue #15: the wire engine against plain node:http2.
  const base = ENGINE_BASELINE;
  rateCheck(15, `sendMany (wire) ≥ 3x node:http2 (${base}) notifications/s`, 'pushwire-sendmany', base, 3);
  cpuCheck(15, `sendMany (wire) ≤ 0.3x node:http2 (${base}) CPU per notification`, 'pushwire-sendmany', base, 0.3);
  rateCheck(15, `Pool(1) (wire) ≥ 3x node:http2 (${base}) notifications/s`, 'pushwire-pool-1', base, 3);
  cpuCheck(15, `Pool(1) (wire) ≤ 0.3x node:http2 (${base}) CPU per notification`, 'pushwire-pool-1', base, 0.3);
  const sendMany = get('pushwire-sendmany');
  const baseline = get(base);
  if (sendMany && baseline) {
    checks.push({
      issue: 15,
      target,
      what: `sendMany (wire) peak RSS ≤ node:http2's (${base})`,
      met: sendMany.peakRss <= baseline.peakRss,
      detail: `${Math.round(sendMany.peakRss / MB)} MB vs ${Math.round(baseline.peakRss / MB)} MB`,
    });
  }
  for (const client of ['pushwire-pool-1', 'pushwire-pool-4', 'pushwire-sendmany'] as const) zero(15, `${client} (wire) zero failures`, client);

  // Issue #10, on the engine each comparison is about.
  rateCheck(10, 'Pool(1) on node:http2 ≥ 0.9x node:http2 on 1 session', 'pushwire-pool-1-node', 'http2-1', 0.9);
  rateCheck(10, 'Pool(4) on node:http2 ≥ 0.9x node:http2 on 4 sessions', 'pushwire-pool-4-node', 'http2-4', 0.9);
  rateCheck(10, 'Pool(1) (wire) ≥ 1.4x node-apn (chunked)', 'pushwire-pool-1', 'node-apn-chunked', 1.4);
  rateCheck(10, 'Pool(4) (wire) ≥ 1.4x node-apn (chunked)', 'pushwire-pool-4', 'node-apn-chunked', 1.4);
  rateCheck(10, 'sendMany(100k) (wire) within 10% of Pool(4) (wire)', 'pushwire-sendmany', 'pushwire-pool-4', 0.9);
  rateCheck(10, 'sendMany(100k) (node:http2) within 10% of Pool(4) (node:http2)', 'pushwire-sendmany-node', 'pushwire-pool-4-node', 0.9);
  zero(10, 'sendMany(100k) (wire) zero failures', 'pushwire-sendmany');
  if (sendMany) {
    const peers = (['node-apn-chunked', 'apns2-chunked'] as const).map(get).filter((s): s is Summary => s !== undefined);
    if (peers.length > 0) {
      const best = peers.reduce((a, b) => (a.peakRss <= b.peakRss ? a : b));
      checks.push({
        issue: 10,
        target,
        what: "sendMany(100k) (wire) peak RSS < 0.5x the best peer's",
        met: sendMany.peakRss < 0.5 * best.peakRss,
        detail: `${Math.round(sendMany.peakRss / MB)} MB vs ${best.client} ${Math.round(best.peakRss / MB)} MB`,
      });
    }
  }
  if (sendMany1M) {
    const server = sendMany1M.serverCount;
    checks.push({
      issue: 10,
      target,
      what: `sendMany(${sendMany1M.n.toLocaleString('en-US')}) (wire) zero failures, peak RSS < 300 MB`,
      met: sendMany1M.failed === 0 && sendMany1M.error === undefined && sendMany1M.peakRss < 300 * MB,
      detail: `${sendMany1M.failed} failed, ${Math.round(sendMany1M.peakRss / MB)} MB`,
    });
    if (server) {
      checks.push({
        issue: 15,
        target,
        what: `sendMany(${sendMany1M.n.toLocaleString('en-US')}) (wire): the server answered each token once with a 200`,
        met: server.ok === sendMany1M.n && server.distinct === sendMany1M.n && server.lines === sendMany1M.n,
        detail: serverDetail(server),
      });
    }
  }
  return checks;
}

/** One run's server-side count (`--server-count`, nginx's access log) as a phrase. */
export function serverDetail(server: ServerCount): string {
  const n = (v: number): string => v.toLocaleString('en-US');
  return `server logged ${n(server.lines)} requests, ${n(server.ok)} answered 200, ${n(server.distinct)} distinct device paths`;
}

/** Flat memory at any size (issue #17): the `--huge` generator run and the `--cli-bulk` file run. */
export function checkFlat(target: string, huge: RunResult | undefined, cli: RunResult | undefined): Check[] {
  const checks: Check[] = [];
  const n = (r: RunResult): string => r.n.toLocaleString('en-US');
  const zero = (r: RunResult, what: string): void => {
    checks.push({ issue: 17, target, what: `${what} zero failures`, met: isValid(r), detail: r.error ?? `${r.failed} failed` });
  };
  const peak = (r: RunResult, what: string): void => {
    checks.push({ issue: 17, target, what: `${what} peak RSS < 200 MB`, met: r.peakRss < 200 * MB, detail: `${Math.round(r.peakRss / MB)} MB` });
  };
  if (huge) {
    const what = `sendMany(generator of ${n(huge)})`;
    zero(huge, what);
    peak(huge, what);
    const samples = huge.rssSamples ?? [];
    const f = flatness(samples);
    checks.push({
      issue: 17,
      target,
      what: `${what} flat: last quarter's mean RSS ≤ 1.10x the second quarter's`,
      met: Number.isFinite(f) ? f <= 1.1 : undefined,
      detail: Number.isFinite(f)
        ? `${f.toFixed(3)}x (${Math.round(quarterMean(samples, 4) / MB)} vs ${Math.round(quarterMean(samples, 2) / MB)} MB, ${samples.length} samples)`
        : `${samples.length} samples, too few`,
    });
  }
  if (cli) {
    const what = `pushwire bulk --tokens (file of ${n(cli)})`;
    zero(cli, what);
    peak(cli, what);
  }
  return checks;
}

export function formatChecks(checks: readonly Check[]): string {
  const issues = [...new Set(checks.map((c) => c.issue))];
  return issues
    .map((issue) => {
      const lines = checks
        .filter((c) => c.issue === issue)
        .map((c) => `${c.met === true ? 'MET ' : c.met === false ? 'MISS' : 'n/a '}  [${c.target}] ${c.what}: ${c.detail}`);
      return `Targets (issue #${issue}):\n${lines.join('\n')}`;
    })
    .join('\n\n');
}
