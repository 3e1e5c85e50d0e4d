/**
 * Counts a bulk send by outcome as results arrive, and renders the
 * end-of-run summary table (sent, failed by reason, errors by kind,
 * unregistered, throughput).
 */
import type { TokenOutcome } from '@pushwire/api';
import { count, duration, rate } from './format.js';
import type { ProgressSnapshot } from './progress.js';

/** A short label for an error without an APNs verdict, e.g. `ConnectError (ECONNREFUSED)`. */
export function errorLabel(error: unknown): string {
  if (!(error instanceof Error)) return 'Error';
  let code: unknown;
  for (let e: unknown = error.cause; e instanceof Error && code === undefined; e = e.cause) code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.name} (${code})` : error.name;
}

/** Running counts of a bulk send, fed one {@link TokenOutcome} at a time. */
export class Tally {
  sent = 0;
  failed = 0;
  errors = 0;
  /** 410 answers (`Unregistered`, `ExpiredToken`). */
  unregistered = 0;
  /** `"<status> <reason>"` → tokens. */
  readonly reasons = new Map<string, number>();
  /** Error label → tokens. */
  readonly errorKinds = new Map<string, number>();
  /** Number of tokens, once known. */
  total: number | undefined;

  /** Counts one outcome. */
  record(outcome: TokenOutcome): void {
    switch (outcome.kind) {
      case 'sent':
        this.sent++;
        return;
      case 'failed': {
        this.failed++;
        if (outcome.status === 410) this.unregistered++;
        const key = `${outcome.status} ${outcome.reason}`;
        this.reasons.set(key, (this.reasons.get(key) ?? 0) + 1);
        return;
      }
      case 'error': {
        this.errors++;
        const key = errorLabel(outcome.error);
        this.errorKinds.set(key, (this.errorKinds.get(key) ?? 0) + 1);
        return;
      }
    }
  }

  get done(): number {
    return this.sent + this.failed + this.errors;
  }

  /** What the progress display needs. */
  snapshot(): ProgressSnapshot {
    return { done: this.done, sent: this.sent, failed: this.failed, errors: this.errors, total: this.total };
  }
}

/**
 * The summary table, e.g.
 * ```
 * sent                     99,880
 * failed                      120
 *   410 Unregistered           10
 * ...
 * throughput             45,210/s
 * ```
 */
export function renderSummary(tally: Tally, elapsedMs: number): string {
  const rows: Array<[string, string]> = [['sent', count(tally.sent)], ['failed', count(tally.failed)]];
  const byCount = (map: Map<string, number>): Array<[string, number]> => [...map].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const [reason, n] of byCount(tally.reasons)) rows.push([`  ${reason}`, count(n)]);
  rows.push(['errors (no answer)', count(tally.errors)]);
  for (const [kind, n] of byCount(tally.errorKinds)) rows.push([`  ${kind}`, count(n)]);
  rows.push(['unregistered (410)', count(tally.unregistered)]);
  rows.push(['total', count(tally.done)]);
  rows.push(['elapsed', duration(elapsedMs)]);
  rows.push(['throughput', rate(elapsedMs > 0 ? (tally.done * 1000) / elapsedMs : 0)]);
  const left = Math.max(...rows.map(([k]) => k.length));
  const right = Math.max(...rows.map(([, v]) => v.length));
  const line = '-'.repeat(left + right + 2);
  return ['Summary', line, ...rows.map(([k, v]) => `${k.padEnd(left)}  ${v.padStart(right)}`), line].join('\n');
}

/** The machine-readable summary `bulk --json` prints (see {@link summaryJson}). */
export interface SummaryJson {
  readonly sent: number;
  readonly failed: number;
  /** Tokens APNs never answered. */
  readonly errors: number;
  /** 410 answers. */
  readonly unregistered: number;
  readonly total: number;
  /** Rejections by status and reason, most frequent first. */
  readonly failures: ReadonlyArray<{ readonly status: number; readonly reason: string; readonly count: number }>;
  /** Unanswered tokens by error label (as in the NDJSON `error` field), most frequent first. */
  readonly errorKinds: ReadonlyArray<{ readonly error: string; readonly count: number }>;
  readonly elapsedMs: number;
  /** Tokens per second. */
  readonly throughput: number;
}

/** The summary as plain data, for `bulk --json`. */
export function summaryJson(tally: Tally, elapsedMs: number): SummaryJson {
  const byCount = (map: Map<string, number>): Array<[string, number]> => [...map].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return {
    sent: tally.sent,
    failed: tally.failed,
    errors: tally.errors,
    unregistered: tally.unregistered,
    total: tally.done,
    failures: byCount(tally.reasons).map(([key, count]) => {
      const space = key.indexOf(' ');
      return { status: Number(key.slice(0, space)), reason: key.slice(space + 1), count };
    }),
    errorKinds: byCount(tally.errorKinds).map(([error, count]) => ({ error, count })),
    elapsedMs: Math.round(elapsedMs),
    throughput: Math.round(elapsedMs > 0 ? (tally.done * 1000) / elapsedMs : 0),
  };
}
