import { flatness, quarterMean } from './measure.js';
import { isValid, type Summary } from './stats.js';
import type { ClientName, RunResult } from './types.js';

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
 * The issue's targets, checked against one target server's summaries. Pool size 1 is
 * compared with one node:http2 session and size 4 with four; sendMany (a client of 4
 * connections) with the pool of 4.
 */
export function checkTargets(summaries: readonly Summary[], sendMany1M: RunResult | undefined): Check[] {
  const target = summaries[0]?.target ?? '';
  const get = (c: ClientName): Summary | undefined => summaries.find((s) => s.client === c);
  const checks: Check[] = [];
  const rateCheck = (what: string, a: ClientName, b: ClientName, min: number): void => {
    const x = get(a);
    const y = get(b);
    if (!x || !y) return;
    const r = x.rate / y.rate;
    checks.push({
      issue: 10,
      target,
      what,
      met: x.valid && y.valid && r >= min,
      detail: `${r.toFixed(2)}x (${Math.round(x.rate)} vs ${Math.round(y.rate)}/s)${x.valid && y.valid ? '' : ', a row is invalid'}`,
    });
  };
  rateCheck('Pool(1) ≥ 0.9x node:http2 on 1 session', 'pushwire-pool-1', 'http2-1', 0.9);
  rateCheck('Pool(4) ≥ 0.9x node:http2 on 4 sessions', 'pushwire-pool-4', 'http2-4', 0.9);
  rateCheck('Pool(1) ≥ 1.4x node-apn (chunked)', 'pushwire-pool-1', 'node-apn-chunked', 1.4);
  rateCheck('Pool(4) ≥ 1.4x node-apn (chunked)', 'pushwire-pool-4', 'node-apn-chunked', 1.4);
  rateCheck('sendMany(100k) within 10% of Pool(4)', 'pushwire-sendmany', 'pushwire-pool-4', 0.9);

  const sendMany = get('pushwire-sendmany');
  if (sendMany) {
    checks.push({
      issue: 10,
      target,
      what: 'sendMany(100k) zero failures',
      met: sendMany.valid,
      detail: `${sendMany.failed} failed over ${sendMany.runs} runs`,
    });
    const peers = (['node-apn-chunked', 'apns2-chunked'] as const).map(get).filter((s): s is Summary => s !== undefined);
    if (peers.length > 0) {
      const best = peers.reduce((a, b) => (a.peakRss <= b.peakRss ? a : b));
      checks.push({
        issue: 10,
        target,
        what: "sendMany(100k) peak RSS < 0.5x the best peer's",
        met: sendMany.peakRss < 0.5 * best.peakRss,
        detail: `${Math.round(sendMany.peakRss / MB)} MB vs ${best.client} ${Math.round(best.peakRss / MB)} MB`,
      });
    }
  }
  if (sendMany1M) {
    checks.push({
      issue: 10,
      target,
      what: `sendMany(${sendMany1M.n.toLocaleString('en-US')}) zero failures, peak RSS < 300 MB`,
      met: sendMany1M.failed === 0 && sendMany1M.error === undefined && sendMany1M.peakRss < 300 * MB,
      detail: `${sendMany1M.failed} failed, ${Math.round(sendMany1M.peakRss / MB)} MB`,
    });
  }
  return checks;
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
