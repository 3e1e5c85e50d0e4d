/**
 * RSS sampling for the soak: one sample every few seconds, and the summary
 * that shows whether memory stayed flat (first minutes against last minutes).
 * @module
 */

export interface Sample {
  /** Seconds since the soak started. */
  readonly t: number;
  readonly rss: number;
  readonly heapUsed: number;
  /** Notifications not settled at that moment. */
  readonly live: number;
  readonly serverRss: number;
}

export interface WindowSummary {
  readonly samples: number;
  readonly meanRssMiB: number;
  readonly maxRssMiB: number;
  readonly meanHeapMiB: number;
}

const MIB = 2 ** 20;
const round = (n: number): number => Math.round(n * 10) / 10;

/** Mean and max RSS / heap of the samples taken in [fromS, toS). */
export function summarize(samples: readonly Sample[], fromS: number, toS: number): WindowSummary {
  const inWindow = samples.filter((s) => s.t >= fromS && s.t < toS);
  const mean = (f: (s: Sample) => number): number => (inWindow.length ? inWindow.reduce((a, s) => a + f(s), 0) / inWindow.length : NaN);
  return {
    samples: inWindow.length,
    meanRssMiB: round(mean((s) => s.rss) / MIB),
    maxRssMiB: round(Math.max(...inWindow.map((s) => s.rss)) / MIB),
    meanHeapMiB: round(mean((s) => s.heapUsed) / MIB),
  };
}

/** Max RSS per `bucketS`-second bucket: the series for the report. */
export function series(samples: readonly Sample[], bucketS: number): { readonly fromMin: number; readonly maxRssMiB: number; readonly maxHeapMiB: number }[] {
  const buckets = new Map<number, Sample[]>();
  for (const s of samples) {
    const b = Math.floor(s.t / bucketS);
    buckets.set(b, [...(buckets.get(b) ?? []), s]);
  }
  return [...buckets].map(([b, list]) => ({
    fromMin: round((b * bucketS) / 60),
    maxRssMiB: round(Math.max(...list.map((s) => s.rss)) / MIB),
    maxHeapMiB: round(Math.max(...list.map((s) => s.heapUsed)) / MIB),
  }));
}
