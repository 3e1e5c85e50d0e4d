import type { BulkOptions, EngineName } from '@pushwire/api';

/** What a `sendMany` result keeps per token (`@pushwire/api`'s `collect` option). */
export type CollectMode = NonNullable<BulkOptions['collect']>;

/** What every client child needs to reach a target and sign its requests. */
export interface TargetInfo {
  /** `mock` or `nginx`. */
  readonly name: TargetName;
  /** `https://localhost:<port>` */
  readonly origin: string;
  readonly host: string;
  readonly port: number;
  /** PEM of the CA that signed the server's certificate; clients trust it, nothing disables verification. */
  readonly ca: string;
  /** Path of the same CA on disk, for `NODE_EXTRA_CA_CERTS` (peers that take no `ca` option). */
  readonly caFile: string;
  readonly signingKey: { readonly keyId: string; readonly teamId: string; readonly key: string };
}

export type TargetName = 'mock' | 'nginx';

/** One measured run, sent from the parent to a child. */
export interface RunSpec {
  readonly client: ClientName;
  readonly n: number;
  readonly target: TargetInfo;
  readonly topic: string;
  /** The exact JSON body every client sends. */
  readonly payload: string;
  /** `pushwire-huge`: the `collect` mode of its `sendMany`. */
  readonly collect?: CollectMode;
}

/** What a client reports back: how many succeeded, and a count per failure reason. */
export interface Outcome {
  readonly ok: number;
  readonly failed: number;
  readonly failures: Record<string, number>;
  /** Extra numbers a client wants in the results (the burst's queue figures). */
  readonly extra?: Record<string, number>;
  /**
   * RSS of the process under test, in bytes, sampled once a second from the
   * first send to the last answer (`pushwire-huge`: the child; `pushwire-cli-bulk`:
   * the CLI's process).
   */
  readonly rssSamples?: readonly number[];
  /**
   * The measures of another process that did the work (`pushwire-cli-bulk`: the CLI's),
   * reported instead of the child's own.
   */
  readonly process?: { readonly elapsedMs: number; readonly cpuUs: number; readonly peakRss: number; readonly baseRss: number };
}

/** The child's measured result, sent back over IPC. */
export interface RunResult extends Outcome {
  readonly client: ClientName;
  readonly target: TargetName;
  readonly n: number;
  readonly elapsedMs: number;
  /** User + system CPU of the child between the first send and the last answer, in microseconds. */
  readonly cpuUs: number;
  /** Highest RSS of the child (max of sampled RSS and the kernel's maxRSS), in bytes. */
  readonly peakRss: number;
  /** RSS just before the first send, in bytes. */
  readonly baseRss: number;
  /** Set by the parent when the child crashed or timed out. */
  readonly error?: string;
  /** User + system CPU of the target server's processes during the run, in microseconds (parent, `/proc`). */
  readonly serverCpuUs?: number;
  /** `--server-count` (nginx): what the server's access log holds for this run, counted by the parent. */
  readonly serverCount?: ServerCount;
}

/** The requests one run left in nginx's access log (`--server-count`). */
export interface ServerCount {
  /** Requests logged during the run (every line). */
  readonly lines: number;
  /** Of those, `POST /3/device/<token>` answered 200. */
  readonly ok: number;
  /** Distinct `<token>`s among the 200s: a duplicate (a token sent twice) makes it fall below `ok`. */
  readonly distinct: number;
}

/**
 * Every pushwire row names its HTTP/2 engine (issue #15), so no row depends on the
 * connection tier's default or on `PUSHWIRE_ENGINE`: a plain name (`pushwire-pool-1`)
 * is the wire engine, pushwire's own frames over `node:tls`; `-node` is `node:http2`.
 */
export const CLIENTS = [
  'pushwire-pool-1',
  'pushwire-pool-1-node',
  'pushwire-pool-4',
  'pushwire-pool-4-node',
  'pushwire-sendmany',
  'pushwire-sendmany-node',
  'node-apn-chunked',
  'apns2-chunked',
  'http2-1',
  'http2-4',
  'node-apn-naive',
  'apns2-naive',
  'pushwire-burst',
  'pushwire-huge',
  'pushwire-cli-bulk',
] as const;

export type ClientName = (typeof CLIENTS)[number];

/** Clients that run once per repeat, in alternation, and go into the main table. */
export const RANKED: readonly ClientName[] = [
  'pushwire-pool-1',
  'pushwire-pool-1-node',
  'pushwire-pool-4',
  'pushwire-pool-4-node',
  'pushwire-sendmany',
  'pushwire-sendmany-node',
  'node-apn-chunked',
  'apns2-chunked',
  'http2-1',
  'http2-4',
];

/** The peers' naive single-call forms: run once per target, reported with their failures. */
export const NAIVE: readonly ClientName[] = ['node-apn-naive', 'apns2-naive'];

/** Clients that make their own tokens (a generator, a file): the child builds none for them. */
export const SELF_SOURCED: readonly ClientName[] = ['pushwire-huge', 'pushwire-cli-bulk'];

/** The ranked pushwire rows (the ratio tables' rows). */
export const PUSHWIRE: readonly ClientName[] = [
  'pushwire-pool-1',
  'pushwire-pool-1-node',
  'pushwire-pool-4',
  'pushwire-pool-4-node',
  'pushwire-sendmany',
  'pushwire-sendmany-node',
];

/**
 * The engine a pushwire row runs on, passed as an option (the CLI row: `PUSHWIRE_ENGINE`,
 * the CLI has no flag for it); `undefined` for the peers and the plain node:http2 rows.
 */
export function engineOf(client: ClientName): EngineName | undefined {
  if (!client.startsWith('pushwire-')) return undefined;
  return client.endsWith('-node') ? 'node' : 'wire';
}
