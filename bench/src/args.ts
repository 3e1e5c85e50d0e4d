import { CLIENTS, type ClientName, type CollectMode, type TargetName } from './types.js';

/**
 * `--huge-collect`'s default. `'none'` needs an @pushwire/api whose `BulkOptions.collect`
 * has it (the build fails on this line otherwise): then switch it to `'failures'`.
 */
export const DEFAULT_HUGE_COLLECT: CollectMode = 'none';

const COLLECT_MODES: readonly string[] = ['all', 'failures', 'none'];

export interface Options {
  readonly n: number;
  readonly targets: readonly TargetName[];
  readonly repeat: number;
  /** Clients to run; all by default. */
  readonly only: readonly ClientName[];
  /** Queued requests for the pool burst (0 skips it). */
  readonly burst: number;
  /** Tokens for one extra `sendMany` call (0 skips it; 1,000,000 checks the 300 MB target). */
  readonly big: number;
  /** Tokens for one `sendMany` over a generator per target, RSS sampled every second (0 skips it). */
  readonly huge: number;
  /** The `collect` mode of the `--huge` run. */
  readonly hugeCollect: CollectMode;
  /** Tokens written to a file and sent with `pushwire bulk --tokens <file>` (0 skips it). */
  readonly cliBulk: number;
  /** Also run the peers' naive single-call forms (one call with all N; ~45 s more). */
  readonly naive: boolean;
  /** Run each child under `node --cpu-prof`, profiles in bench/results/profiles/. */
  readonly profile: boolean;
  /** Per-run limit in seconds before the child is killed and the run marked invalid. */
  readonly timeout: number;
  /** The Node binary the clients run on (`--node 24`: from the npm registry, cached); this one by default. */
  readonly node: string | undefined;
  /**
   * nginx logs every request (its access log, off otherwise: it costs nginx CPU) and the
   * bench counts each run's requests, 200s and distinct tokens on the server's side.
   */
  readonly serverCount: boolean;
}

export const USAGE = `usage: pnpm bench [--n 100000] [--target mock|nginx|both] [--repeat 3]
                  [--only client,client,...] [--burst 1000000] [--big 0] [--naive] [--profile] [--timeout 120]
                  [--huge 0] [--huge-collect ${DEFAULT_HUGE_COLLECT}] [--cli-bulk 0] [--node 24|/path/to/node] [--server-count]
clients: ${CLIENTS.join(', ')}`;

/** Parses `--flag value` / `--flag=value` arguments; throws with the usage on anything unknown. */
export function parseArgs(argv: readonly string[]): Options {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument \`${arg}\`\n${USAGE}`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (name === 'profile' || name === 'naive' || name === 'server-count' || name === 'help') {
      flags.add(name);
    } else if (eq !== -1) {
      values.set(name, arg.slice(eq + 1));
    } else {
      const value = argv[++i];
      if (value === undefined) throw new Error(`\`--${name}\` needs a value\n${USAGE}`);
      values.set(name, value);
    }
  }
  if (flags.has('help')) throw new Error(USAGE);
  for (const name of values.keys()) {
    if (!['n', 'target', 'repeat', 'only', 'burst', 'big', 'huge', 'huge-collect', 'cli-bulk', 'timeout', 'node'].includes(name)) throw new Error(`unknown option \`--${name}\`\n${USAGE}`);
  }

  const target = values.get('target') ?? 'both';
  if (target !== 'mock' && target !== 'nginx' && target !== 'both') {
    throw new Error(`Expected \`--target\` to be mock, nginx or both, got \`${target}\``);
  }
  const hugeCollect = values.get('huge-collect') ?? DEFAULT_HUGE_COLLECT;
  if (!COLLECT_MODES.includes(hugeCollect)) throw new Error(`Expected \`--huge-collect\` to be all, failures or none, got \`${hugeCollect}\``);
  const only = (values.get('only') ?? CLIENTS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of only) {
    if (!(CLIENTS as readonly string[]).includes(name)) throw new Error(`unknown client \`${name}\`\n${USAGE}`);
  }
  return {
    n: positiveInt(values.get('n') ?? '100000', 'n'),
    // nginx first: the once-only runs (naive forms, burst, --big) go to the first target that starts.
    targets: target === 'both' ? ['nginx', 'mock'] : [target],
    repeat: positiveInt(values.get('repeat') ?? '3', 'repeat'),
    only: only as ClientName[],
    burst: positiveInt(values.get('burst') ?? '1000000', 'burst', true),
    big: positiveInt(values.get('big') ?? '0', 'big', true),
    huge: positiveInt(values.get('huge') ?? '0', 'huge', true),
    hugeCollect: hugeCollect as CollectMode,
    cliBulk: positiveInt(values.get('cli-bulk') ?? '0', 'cli-bulk', true),
    naive: flags.has('naive'),
    profile: flags.has('profile'),
    timeout: positiveInt(values.get('timeout') ?? '120', 'timeout'),
    node: values.get('node'),
    serverCount: flags.has('server-count'),
  };
}

function positiveInt(text: string, name: string, zeroOk = false): number {
  const value = Number(text.replaceAll('_', ''));
  if (!Number.isInteger(value) || value < (zeroOk ? 0 : 1)) {
    throw new Error(`Expected \`--${name}\` to be an integer from ${zeroOk ? 0 : 1} and up, got \`${text}\``);
  }
  return value;
}
