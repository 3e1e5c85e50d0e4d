import type { Summary } from './stats.js';
import type { ClientName, RunResult } from './types.js';

export interface Check {
  readonly target: string;
  readonly what: string;
  /** `undefined` when a row it needs did not run. */
  readonly met: boolean | undefined;
  readonly detail: string;
}

const MB = 1024 * 1024;

/**
 * The targets, checked against one target server's summaries. Pool size 1 is
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
      target,
      what: 'sendMany(100k) zero failures',
      met: sendMany.valid,
      detail: `${sendMany.failed} failed over ${sendMany.runs} runs`,
    });
    const peers = (['node-apn-chunked', 'apns2-chunked'] as const).map(get).filter((s): s is Summary => s !== undefined);
    if (peers.length > 0) {
      const best = peers.reduce((a, b) => (a.peakRss <= b.peakRss ? a : b));
      checks.push({
        target,
        what: "sendMany(100k) peak RSS < 0.5x the best peer's",
        met: sendMany.peakRss < 0.5 * best.peakRss,
        detail: `${Math.round(sendMany.peakRss / MB)} MB vs ${best.client} ${Math.round(best.peakRss / MB)} MB`,
      });
    }
  }
  if (sendMany1M) {
    checks.push({
      target,
      what: `sendMany(${sendMany1M.n.toLocaleString('en-US')}) zero failures, peak RSS < 300 MB`,
      met: sendMany1M.failed === 0 && sendMany1M.error === undefined && sendMany1M.peakRss < 300 * MB,
      detail: `${sendMany1M.failed} failed, ${Math.round(sendMany1M.peakRss / MB)} MB`,
    });
  }
  return checks;
}

export function formatChecks(checks: readonly Check[]): string {
  return checks
    .map((c) => `${c.met === true ? 'MET ' : c.met === false ? 'MISS' : 'n/a '}  [${c.target}] ${c.what}: ${c.detail}`)
    .join('\n');
}
