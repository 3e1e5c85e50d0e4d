/**
 * Small number and duration formatters shared by the progress bar and the
 * summary table.
 */

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `12345` → `12,345`. */
export function count(n: number): string {
  return grouped.format(n);
}

/** A rate per second, rounded: `12,345/s`. */
export function rate(perSecond: number): string {
  return `${count(Number.isFinite(perSecond) ? perSecond : 0)}/s`;
}

/** A duration in ms as `850ms`, `4.2s`, `3m05s` or `1h02m`. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(sec).padStart(2, '0')}s`;
}

/** A percentage with one decimal: `42.0%`. */
export function percent(part: number, whole: number): string {
  return whole <= 0 ? '100.0%' : `${((100 * part) / whole).toFixed(1)}%`;
}
