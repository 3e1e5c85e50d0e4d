/**
 * Per-process measurement for a client child: CPU time from `process.resourceUsage()`,
 * peak RSS from both a sampler and the kernel's maxRSS (the sampler alone can miss a spike).
 */
export interface Meter {
  /** Stops sampling and returns the deltas since `startMeter()`. */
  stop(): { elapsedMs: number; cpuUs: number; peakRss: number; baseRss: number };
}

const SAMPLE_MS = 20;

export function startMeter(): Meter {
  const baseRss = process.memoryUsage.rss();
  let peak = baseRss;
  const timer = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) peak = rss;
  }, SAMPLE_MS);
  const startUsage = process.resourceUsage();
  const start = process.hrtime.bigint();
  return {
    stop() {
      const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
      const usage = process.resourceUsage();
      clearInterval(timer);
      const cpuUs =
        usage.userCPUTime - startUsage.userCPUTime + (usage.systemCPUTime - startUsage.systemCPUTime);
      const peakRss = Math.max(peak, process.memoryUsage.rss(), usage.maxRSS * 1024);
      return { elapsedMs, cpuUs, peakRss, baseRss };
    },
  };
}

/** Samples `read()` every `ms` (and once at the start) until `stop()`, which returns the samples. */
export function sampleEvery(ms: number, read: () => number | undefined): { stop(): number[] } {
  const samples: number[] = [];
  const take = (): void => {
    const value = read();
    if (value !== undefined) samples.push(value);
  };
  take();
  const timer = setInterval(take, ms);
  return {
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}

/**
 * RSS flatness of a run: the mean of the last quarter's samples over the mean of
 * the second quarter's (the first quarter is start-up). 1.00 is flat; NaN with
 * fewer than 4 samples.
 */
export function flatness(samples: readonly number[]): number {
  return samples.length < 4 ? NaN : quarterMean(samples, 4) / quarterMean(samples, 2);
}

/** Mean of the samples in the given quarter (1 to 4). */
export function quarterMean(samples: readonly number[], quarter: 1 | 2 | 3 | 4): number {
  const n = samples.length;
  const part = samples.slice(Math.floor(((quarter - 1) * n) / 4), Math.floor((quarter * n) / 4));
  return part.length === 0 ? NaN : part.reduce((a, b) => a + b, 0) / part.length;
}
