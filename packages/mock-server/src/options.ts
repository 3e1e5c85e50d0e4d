/** Options of {@link MockApnsServer.start}, checked up front. */
import type { ClockFn } from './clock.js';

/** How clients must authenticate. */
export type AuthMode = 'token' | 'certificate' | 'any' | 'none';

/** TLS material to use instead of generated certificates. */
export interface TlsOptions {
  /** Server certificate (PEM). */
  cert: string | Buffer;
  /** Server private key (PEM). */
  key: string | Buffer;
  /** CA that issued `cert` (PEM); exposed as `server.ca`. */
  ca: string | Buffer;
}

/** Options of {@link MockApnsServer.start}; all optional. */
export interface MockServerOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** 'development' adds `apns-unique-id` to 200s, as the sandbox does. @default 'development' */
  environment?: 'development' | 'production';
  /** @default 'token' */
  auth?: AuthMode;
  /** Advertised SETTINGS_MAX_CONCURRENT_STREAMS (token connections start at 1). @default 1000 */
  maxConcurrentStreams?: number;
  /** true: only registered tokens are live devices (others: BadDeviceToken). @default false */
  strictDevices?: boolean;
  /** Keep every request in `server.requests`. @default true (false when `fast`) */
  record?: boolean;
  /** Benchmark mode: no recording, no per-token counts, minimal work per request. @default false */
  fast?: boolean;
  /** Clock (ms since epoch) for token age rules. @default Date.now */
  clock?: ClockFn;
  /** Server TLS material; generated (CA + localhost certificate) when absent. */
  tls?: TlsOptions;
  /** CA (PEM) that client certificates must chain to; generated when absent. */
  clientCa?: string | Buffer;
  /** Channels per app before create answers CannotCreateChannelConfig. @default 10000 (Apple's limit) */
  maxChannels?: number;
  /**
   * Connection-level receive window advertised to clients (bytes, 65,535 to
   * 2^31-1). 65,535 is HTTP/2's default, the window a server that never
   * raises it keeps; clients must not let a body stall on it.
   * @default 2147483647 (as nginx advertises)
   */
  connectionWindow?: number;
}

/** Options after defaults and checks. */
export interface ResolvedOptions {
  readonly port: number;
  readonly host: string;
  readonly environment: 'development' | 'production';
  readonly auth: AuthMode;
  readonly maxConcurrentStreams: number;
  readonly strictDevices: boolean;
  readonly record: boolean;
  readonly fast: boolean;
  readonly clock: ClockFn;
  readonly tls: TlsOptions | undefined;
  readonly clientCa: string | Buffer | undefined;
  readonly maxChannels: number;
  readonly connectionWindow: number;
}

/** HTTP/2's initial connection window (RFC 9113 §6.9.2) and the largest allowed. */
const DEFAULT_WINDOW = 65_535;
const MAX_WINDOW = 2 ** 31 - 1;

const KNOWN = ['port', 'host', 'environment', 'auth', 'maxConcurrentStreams', 'strictDevices', 'record', 'fast', 'clock', 'tls', 'clientCa', 'maxChannels', 'connectionWindow'];

function got(value: unknown): string {
  return `\`${typeof value === 'function' ? 'function' : (JSON.stringify(value) ?? String(value))}\` (${typeof value})`;
}

/**
 * Applies defaults and checks every option.
 * @throws {TypeError} naming the option, e.g. ``Expected `port` to be an integer from 0 to 65535, got `-1` (number)``.
 */
export function resolveOptions(options: MockServerOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError(`Expected options to be an object, got ${got(options)}`);
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) throw new TypeError(`Unknown option \`${key}\` (known: ${KNOWN.join(', ')})`);
  }
  const { port = 0, host = '127.0.0.1', environment = 'development', auth = 'token', maxConcurrentStreams = 1000 } = options;
  const { strictDevices = false, fast = false, clock = Date.now, tls, clientCa, maxChannels = 10_000, connectionWindow = MAX_WINDOW } = options;
  const record = options.record ?? !fast;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`Expected \`port\` to be an integer from 0 to 65535, got ${got(port)}`);
  if (typeof host !== 'string' || host === '') throw new TypeError(`Expected \`host\` to be a non-empty string, got ${got(host)}`);
  if (environment !== 'development' && environment !== 'production') throw new TypeError(`Expected \`environment\` to be 'development' or 'production', got ${got(environment)}`);
  if (!['token', 'certificate', 'any', 'none'].includes(auth)) throw new TypeError(`Expected \`auth\` to be 'token', 'certificate', 'any' or 'none', got ${got(auth)}`);
  if (!Number.isInteger(maxConcurrentStreams) || maxConcurrentStreams < 1 || maxConcurrentStreams > 2 ** 31 - 1) {
    throw new TypeError(`Expected \`maxConcurrentStreams\` to be an integer from 1 and up, got ${got(maxConcurrentStreams)}`);
  }
  for (const [name, value] of [['strictDevices', strictDevices], ['record', record], ['fast', fast]] as const) {
    if (typeof value !== 'boolean') throw new TypeError(`Expected \`${name}\` to be a boolean, got ${got(value)}`);
  }
  if (typeof clock !== 'function') throw new TypeError(`Expected \`clock\` to be a function returning ms since epoch, got ${got(clock)}`);
  if (tls !== undefined && (typeof tls !== 'object' || !tls.cert || !tls.key || !tls.ca)) throw new TypeError('Expected `tls` to have `cert`, `key` and `ca` (PEM)');
  if (!Number.isInteger(maxChannels) || maxChannels < 0) throw new TypeError(`Expected \`maxChannels\` to be an integer from 0 and up, got ${got(maxChannels)}`);
  if (!Number.isInteger(connectionWindow) || connectionWindow < DEFAULT_WINDOW || connectionWindow > MAX_WINDOW) {
    throw new TypeError(`Expected \`connectionWindow\` to be an integer from ${DEFAULT_WINDOW} to ${MAX_WINDOW}, got ${got(connectionWindow)}`);
  }
  return { port, host, environment, auth, maxConcurrentStreams, strictDevices, record, fast, clock, tls, clientCa, maxChannels, connectionWindow };
}
