/**
 * CPU time of a server process tree from `/proc` (Linux): the bench's servers run in
 * processes of their own (nginx: a master and its worker), so a run's server CPU is
 * the tree's user + system time after the run minus before it.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

interface Stat {
  readonly pid: number;
  readonly comm: string;
  readonly ppid: number;
  /** utime + stime, in clock ticks. */
  readonly ticks: number;
}

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

function stat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // `pid (comm) state ppid … utime stime …`: comm may hold spaces and parentheses.
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  return {
    pid,
    comm: text.slice(text.indexOf('(') + 1, close),
    ppid: Number(fields[1]),
    ticks: Number(fields[11]) + Number(fields[12]),
  };
}

function all(): Stat[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  return names.filter((name) => /^\d+$/.test(name)).flatMap((name) => stat(Number(name)) ?? []);
}

/** Pids of the live processes named `comm` whose parent is `ppid`. */
export function childrenNamed(comm: string, ppid: number): number[] {
  return all()
    .filter((s) => s.comm === comm && s.ppid === ppid)
    .map((s) => s.pid);
}

/**
 * User + system CPU of `root` and its live descendants, in microseconds; `undefined`
 * without `/proc` or once `root` is gone.
 */
export function treeCpuUs(root: number): number | undefined {
  const stats = all();
  if (!stats.some((s) => s.pid === root)) return undefined;
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of stats) {
      if (!tree.has(s.pid) && tree.has(s.ppid)) {
        tree.add(s.pid);
        grew = true;
      }
    }
  }
  const ticks = stats.filter((s) => tree.has(s.pid)).reduce((sum, s) => sum + s.ticks, 0);
  return (ticks / ticksPerSecond()) * 1e6;
}
