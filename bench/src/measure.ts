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
