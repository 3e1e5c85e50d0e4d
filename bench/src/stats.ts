import type { ClientName, RunResult, TargetName } from './types.js';

/** The repeats of one client against one target, reduced to the table's numbers. */
export interface Summary {
  readonly client: ClientName;
  readonly target: TargetName;
  readonly runs: number;
  /** Runs with zero failures and no crash; a row with any invalid run is invalid. */
  readonly validRuns: number;
  readonly valid: boolean;
  /** Median of successful notifications per second. */
  readonly rate: number;
  /** Median CPU seconds (user + system) per 100,000 notifications. */
  readonly cpuPer100k: number;
  /** Median CPU seconds of the target server's processes per 100,000 notifications (NaN when unknown). */
  readonly serverCpuPer100k: number;
  /** Median peak RSS in bytes. */
  readonly peakRss: number;
  readonly failed: number;
  readonly failures: Record<string, number>;
}

export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function isValid(run: RunResult): boolean {
  return run.error === undefined && run.failed === 0 && run.ok === run.n;
}

export function summarize(results: readonly RunResult[]): Summary[] {
  const groups = new Map<string, RunResult[]>();
  for (const run of results) {
    const key = `${run.target}\0${run.client}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()].map((runs) => {
    const failures: Record<string, number> = {};
    for (const run of runs) {
      for (const [reason, count] of Object.entries(run.failures)) failures[reason] = (failures[reason] ?? 0) + count;
    }
    const validRuns = runs.filter(isValid).length;
    return {
      client: runs[0]!.client,
      target: runs[0]!.target,
      runs: runs.length,
      validRuns,
      valid: validRuns === runs.length,
      rate: median(runs.map((r) => r.ok / (r.elapsedMs / 1000))),
      cpuPer100k: median(runs.map((r) => (r.cpuUs / 1e6) * (100_000 / r.n))),
      serverCpuPer100k: median(runs.map((r) => ((r.serverCpuUs ?? NaN) / 1e6) * (100_000 / r.n))),
      peakRss: median(runs.map((r) => r.peakRss)),
      failed: runs.reduce((sum, r) => sum + r.failed, 0),
      failures,
    };
  });
}
