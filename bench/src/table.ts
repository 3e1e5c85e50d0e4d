import { flatness, quarterMean } from './measure.js';
import type { Summary } from './stats.js';
import { engineOf, PUSHWIRE, RANKED, type ClientName, type CollectMode, type RunResult } from './types.js';

const MB = 1024 * 1024;

/** The peers and the ceiling each pushwire row is compared with. */
const BASELINES: readonly ClientName[] = ['node-apn-chunked', 'apns2-chunked', 'http2-1', 'http2-4'];

export function markdown(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const int = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–');
const fixed = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const mb = (bytes: number): string => (Number.isFinite(bytes) ? `${Math.round(bytes / MB)} MB` : '–');

/**
 * Median notifications/s, CPU s per 100k (the client's, and the server's when known),
 * peak RSS, validity, per ranked client.
 */
export function mainTable(summaries: readonly Summary[]): string {
  const server = summaries.some((s) => Number.isFinite(s.serverCpuPer100k));
  const rows = RANKED.flatMap((client) => {
    const s = summaries.find((x) => x.client === client);
    if (!s) return [];
    return [[
      client,
      `${int(s.rate)}${s.valid ? '' : ' (invalid)'}`,
      fixed(s.cpuPer100k, 2),
      ...(server ? [fixed(s.serverCpuPer100k, 2)] : []),
      mb(s.peakRss),
      `${s.validRuns}/${s.runs}`,
      s.failed === 0 ? '0' : `${int(s.failed)}: ${topReasons(s.failures)}`,
    ]];
  });
  return markdown(['client', 'notifications/s (median)', 'CPU s / 100k', ...(server ? ['server CPU s / 100k'] : []), 'peak RSS', 'valid runs', 'failures'], rows);
}

/** Each pushwire row's median rate divided by each peer's and by the node:http2 ceiling. */
export function ratioTable(summaries: readonly Summary[]): string {
  const present = BASELINES.filter((b) => summaries.some((s) => s.client === b));
  const rows = PUSHWIRE.flatMap((client) => {
    const s = summaries.find((x) => x.client === client);
    if (!s) return [];
    return [[client, ...present.map((b) => ratio(s, summaries.find((x) => x.client === b)!))]];
  });
  return rows.length === 0 || present.length === 0 ? '' : markdown(['pushwire ÷', ...present], rows);
}

/**
 * Each pushwire row against the plain node:http2 rows (issue #15): its engine, and its
 * median notifications/s, CPU per notification and peak RSS divided by each plain row's.
 */
export function engineTable(summaries: readonly Summary[]): string {
  const plain = (['http2-1', 'http2-4'] as const).map((c) => summaries.find((s) => s.client === c)).filter((s): s is Summary => s !== undefined);
  const rows = PUSHWIRE.flatMap((client) => {
    const s = summaries.find((x) => x.client === client);
    if (!s) return [];
    const engine = engineOf(client) === 'wire' ? 'wire' : 'node:http2';
    return [[client, engine, ...plain.flatMap((b) => [ratio(s, b), quotient(s, b, 'cpuPer100k'), quotient(s, b, 'peakRss')])]];
  });
  const header = ['pushwire ÷ node:http2', 'engine', ...plain.flatMap((b) => [`/s ÷ ${b.client}`, `CPU ÷ ${b.client}`, `RSS ÷ ${b.client}`])];
  return rows.length === 0 || plain.length === 0 ? '' : markdown(header, rows);
}

function quotient(a: Summary, b: Summary, key: 'cpuPer100k' | 'peakRss'): string {
  const r = a[key] / b[key];
  if (!Number.isFinite(r)) return '–';
  return `${r.toFixed(2)}x${a.valid && b.valid ? '' : '*'}`;
}

function ratio(a: Summary, b: Summary): string {
  const r = a.rate / b.rate;
  if (!Number.isFinite(r)) return '–';
  return `${r.toFixed(2)}x${a.valid && b.valid ? '' : '*'}`;
}

/** The peers' naive single-call forms: how users call them, with what went wrong. */
export function naiveTable(runs: readonly RunResult[]): string {
  const rows = runs.map((r) => [
    r.client,
    int(r.ok),
    int(r.failed),
    `${int(r.ok / (r.elapsedMs / 1000))}`,
    fixed(r.elapsedMs / 1000, 1),
    mb(r.peakRss),
    r.failed === 0 ? '–' : topReasons(r.failures),
  ]);
  return markdown(['client (one call, all tokens)', 'sent', 'failed', 'ok/s', 'seconds', 'peak RSS', 'failures'], rows);
}

/** The 1,000,000-queued burst through a pool of 4. */
export function burstTable(run: RunResult): string {
  const x = run.extra ?? {};
  const posted = x['posted'] ?? run.n;
  const perRequest = ((x['queuedRss'] ?? NaN) - run.baseRss) / posted;
  return markdown(['burst (pool of 4)', 'value'], [
    ['requests posted at once', int(posted)],
    ['time to post them', `${fixed((x['queueMs'] ?? NaN) / 1000, 2)} s`],
    ["in the pool's queue right after", int(x['queued'] ?? NaN)],
    ['RSS before', mb(run.baseRss)],
    ['RSS with all queued', mb(x['queuedRss'] ?? NaN)],
    ['peak RSS', mb(run.peakRss)],
    ['bytes per queued request (RSS)', `${int(perRequest)} B`],
    ['bytes per queued request (heap)', `${int(((x['queuedHeap'] ?? NaN) - (x['baseHeap'] ?? NaN)) / posted)} B`],
    ['sent / failed', `${int(run.ok)} / ${int(run.failed)}${run.failed ? `: ${topReasons(run.failures)}` : ''}`],
    ['drain rate', `${int(run.ok / (run.elapsedMs / 1000))} /s`],
  ]);
}

/**
 * The flat-memory rows (issue #17): `--huge` (one sendMany over a generator) and
 * `--cli-bulk` (`pushwire bulk --tokens <file>`), with RSS sampled every second:
 * the second and last quarters' means and their ratio (flatness; ≤ 1.10 is flat).
 */
export function flatTable(runs: readonly RunResult[], collect: CollectMode): string {
  const rows = runs.map((r) => {
    const samples = r.rssSamples ?? [];
    const what = r.client === 'pushwire-huge' ? `sendMany(generator, collect: '${collect}')` : 'pushwire bulk --tokens file --out ndjson';
    return [
      what,
      int(r.n),
      `${int(r.ok)} / ${int(r.failed)}`,
      int(r.ok / (r.elapsedMs / 1000)),
      fixed(r.cpuUs / 1e6, 1),
      mb(r.peakRss),
      mb(quarterMean(samples, 2)),
      mb(quarterMean(samples, 4)),
      `${fixed(flatness(samples), 3)}x`,
      r.error ?? (r.failed === 0 ? '–' : topReasons(r.failures)),
    ];
  });
  return markdown(['flat memory (one call)', 'tokens', 'sent / failed', 'notifications/s', 'CPU s', 'peak RSS', 'RSS 2nd quarter', 'RSS last quarter', 'flatness', 'failures'], rows);
}

export function topReasons(failures: Record<string, number>, count = 3): string {
  return Object.entries(failures)
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([reason, n]) => `${int(n)}× ${reason.replaceAll('|', '/').slice(0, 90)}`)
    .join('; ');
}
