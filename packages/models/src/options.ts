/**
 * What every tier's option checks share: how a bad value is shown in an
 * error message, how an unknown option name is refused (with a "did you
 * mean"), and the hint when a duration looks like seconds.
 * @module
 */
import { InvalidArgumentError } from './errors.js';
import { logSafe } from './log-safe.js';

/** The most characters of a value an error message shows. */
const SHOWN = 40;

/**
 * A value as an error message shows it, p-queue's way: `` `text` (type) ``.
 * Strings are cut at 40 characters and made log-safe; objects show only
 * their kind (`{…}`, `[…]`, a class name), never their contents.
 * @example
 * describeValue(0);       // '`0` (number)'
 * describeValue('5s');    // '`5s` (string)'
 * describeValue([1, 2]);  // '`[…]` (array)'
 * describeValue(null);    // '`null` (null)'
 */
export function describeValue(value: unknown): string {
  if (value === null) return '`null` (null)';
  if (Array.isArray(value)) return '`[…]` (array)';
  const type = typeof value;
  if (type === 'object') {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    return `\`${typeof name === 'string' && name !== 'Object' && name !== '' ? logSafe(name, SHOWN) : '{…}'}\` (object)`;
  }
  if (type === 'function') return '`function` (function)';
  let text: string;
  try {
    text = type === 'symbol' ? (value as symbol).toString() : String(value);
  } catch {
    text = '?';
  }
  return `\`${logSafe(text, SHOWN)}\` (${type})`;
}

/**
 * Option names of pushwire's peers (node-apn, apns2, aapns, pushy) and of
 * earlier pushwire versions, refused with what to use instead wherever a
 * tier does not take them. A tier passes its own renamed options on top.
 */
const FOREIGN_OPTIONS: ReadonlyMap<string, string> = new Map([
  ['proxy', 'it is a client or connection option: `createClient({ proxy })`, the Server options, `new Pool(origin, { connection: { proxy } })` or `Connection.connect(origin, { proxy })`'],
  ['logger', 'a client and pool option: `createClient({ logger })`, the Server options, `new Pool(origin, { logger })`'],
  ['defaultTopic', 'use `topic` (`createClient({ topic })` or the Server options: the default of every send; a send\'s own `topic` wins)'],
  ['production', 'choose the host with `Server.production()` or `Server.development()`'],
  ['token', 'credentials go in `auth`: `Server.production({ token: { keyId, teamId, key } })`'],
  ['signingKey', 'credentials go in `auth`: `Server.production({ token: { keyId, teamId, key } })`'],
  ['keyId', 'credentials go in `auth`: `Server.production({ token: { keyId, teamId, key } })`'],
  ['teamId', 'credentials go in `auth`: `Server.production({ token: { keyId, teamId, key } })`'],
  ['team', 'credentials go in `auth`: `Server.production({ token: { keyId, teamId: team, key } })`'],
  ['cert', 'credentials go in `auth`: `Server.production({ cert, key })`'],
  ['key', 'credentials go in `auth`: `Server.production({ cert, key })` or `{ token: { keyId, teamId, key } }`'],
  ['pfx', 'credentials go in `auth`: `Server.production({ pfx, passphrase })`'],
  ['passphrase', 'credentials go in `auth`: `Server.production({ cert, key, passphrase })`'],
  ['address', 'give the origin to `Server.custom(origin, auth)`'],
  ['host', 'give the origin to `Server.custom(origin, auth)`, or use `Server.production()` / `Server.development()`'],
  ['connectionRetryLimit', 'retries are bounded by `timeout` (a whole send, retries included); their pace is `backoff`'],
  ['requestTimeout', 'use `attemptTimeout` (one attempt) or `timeout` (a whole send, retries included), in milliseconds'],
  ['request_timeout_secs', 'use `attemptTimeout`, in milliseconds'],
  ['heartBeat', 'use `ping: { interval }`'],
  ['keepAlive', 'use `ping: { interval }`'],
  ['clientCount', 'use `connections`'],
  ['concurrentConnections', 'use `connections`'],
  ['manageChannelsAddress', 'use `channelOrigin`'],
  ['size', 'renamed to `connections`'],
  ['deadline', 'renamed to `timeout`'],
  ['retry', 'renamed to `backoff`'],
  ['atLeastOnce', "renamed to `delivery: 'at-least-once'`"],
  ['pingInterval', 'renamed to `ping: { interval }`'],
  ['pingTimeout', 'renamed to `ping: { timeout }`'],
  ['busyPingInterval', 'renamed to `ping: { busyInterval }`'],
  ['maxQueued', 'use `highWaterMark`'],
  ['queueSize', 'use `highWaterMark`'],
]);

/** How {@link checkOptionNames} describes and judges one options object. */
export interface OptionNames {
  /** The call that takes the options, for the message, e.g. `createClient()`. */
  readonly where: string;
  /** The names it takes. */
  readonly known: readonly string[];
  /** Names refused with a specific hint (renamed here), before the shared table. */
  readonly hints?: Readonly<Record<string, string>>;
  /** Put before each name in the error's `field`, e.g. `backoff.`. */
  readonly prefix?: string;
}

/**
 * Refuses every own key of `options` that `names.known` does not list:
 * an unknown option would otherwise do nothing, silently (a `proxy` that
 * quietly goes direct). The error names the option and says what to use:
 * the tier's hint, the peers' and renamed names' table, or the nearest known
 * name ("did you mean").
 * @throws {@link InvalidArgumentError} naming the first unknown option.
 * @example
 * checkOptionNames({ timout: 10 }, { where: 'createClient()', known: ['timeout'] });
 * // InvalidArgumentError: Invalid timout: is not an option of createClient(); did you mean `timeout`?
 */
export function checkOptionNames(options: object, names: OptionNames): void {
  for (const key of Object.keys(options)) {
    if (names.known.includes(key)) continue;
    // `undefined` is how a spread of optional settings says "not set".
    if ((options as Record<string, unknown>)[key] === undefined) continue;
    const hint = (names.hints !== undefined && Object.hasOwn(names.hints, key) ? names.hints[key] : undefined) ?? FOREIGN_OPTIONS.get(key);
    const near = hint === undefined ? nearest(key, names.known) : undefined;
    const advice = hint !== undefined ? `: ${hint}` : near !== undefined ? `; did you mean \`${near}\`?` : `; it takes ${names.known.map((k) => `\`${k}\``).join(', ')}`;
    throw new InvalidArgumentError(`${names.prefix ?? ''}${logSafe(key, SHOWN)}`, `is not an option of ${names.where}${advice}`);
  }
}

/**
 * The known name closest to `key`: the same letters in another case or with
 * `_`/`-`, a couple of edits away, or one that `key` begins (`storage` for
 * `storagePolicy`).
 */
function nearest(key: string, known: readonly string[]): string | undefined {
  const loose = (name: string): string => name.toLowerCase().replace(/[-_]/g, '');
  const same = known.find((name) => loose(name) === loose(key));
  if (same !== undefined) return same;
  const limit = key.length < 5 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const name of known) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase(), limit);
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  if (best !== undefined || key.length < 4) return best;
  return known.find((name) => name.toLowerCase().startsWith(key.toLowerCase()));
}

/** Optimal string alignment distance (insertions, deletions, substitutions, swaps), or `limit + 1` once it passes `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((previous[j] as number) + 1, (row[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (before[j - 2] as number) + 1);
      row.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > limit) return limit + 1;
    before = previous;
    previous = row;
  }
  return previous[b.length] as number;
}

/** Below this many milliseconds a timeout is most likely meant in seconds (aapns' `timeout=10`). */
export const SECONDS_HINT_BELOW = 100;

const warned = new Set<string>();

/**
 * Durations are milliseconds everywhere in pushwire. A timeout under 100 ms
 * is most likely seconds carried over from another library (aapns'
 * `timeout=10` means 10 s; here it would be 10 ms), so it emits a process warning, once per
 * option name, with the seconds reading: a warning, not an error, as tiny
 * timeouts are legitimate in tests.
 * Listen with `process.on('warning', (w) => w.name === 'PushwireWarning')`;
 * its `code` is `PUSHWIRE_DURATION_UNITS`.
 * @example
 * warnIfSeconds('timeout', 10);
 * // (node) PushwireWarning: `timeout: 10` is 10 ms (durations are milliseconds): did you mean 10000 ms (10 s)?
 */
export function warnIfSeconds(field: string, value: unknown): void {
  if (typeof value !== 'number' || !(value > 0) || value >= SECONDS_HINT_BELOW || warned.has(field)) return;
  warned.add(field);
  // The process global, not an import: models stays free of `node:` modules.
  if (typeof process === 'undefined' || typeof process.emitWarning !== 'function') return;
  process.emitWarning(`\`${field}: ${value}\` is ${value} ms (durations are milliseconds): did you mean ${value * 1000} ms (${value} s)?`, {
    type: 'PushwireWarning',
    code: 'PUSHWIRE_DURATION_UNITS',
  });
}
