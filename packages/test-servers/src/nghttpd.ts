import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureInstalled } from './install.js';
import { launch, type Output } from './launch.js';
import { integer } from './options.js';
import type { TestServer } from './types.js';

/** How to run nghttpd (nghttp2 1.52). Each option maps to one flag. */
export interface NghttpdOptions {
  /** `--max-concurrent-streams=<N>`: SETTINGS_MAX_CONCURRENT_STREAMS. @default nghttpd's own (100) */
  maxConcurrentStreams?: number;
  /** `--window-bits=<N>`: stream initial window (SETTINGS_INITIAL_WINDOW_SIZE) = 2^N - 1. @default nghttpd's own (2^16 - 1) */
  windowBits?: number;
  /**
   * `--connection-window-bits=<N>`: connection window = 2^N - 1. Above 16 it
   * grows by a WINDOW_UPDATE; below 16 the peer still sees the 65535 every
   * connection starts with (HTTP/2 has no setting for it). @default nghttpd's own (2^16 - 1)
   */
  connectionWindowBits?: number;
  /** `--header-table-size=<SIZE>`: the HPACK decoder table nghttpd advertises (SETTINGS_HEADER_TABLE_SIZE). @default 4096 */
  headerTableSize?: number;
  /**
   * `--echo-upload`: answers each POST with 200 and the request body echoed.
   * Without it nghttpd serves files from its (empty) document root: 404.
   * @default true
   */
  echoUpload?: boolean;
  /** `-v`: log every frame sent and received (what {@link TestServer.log} returns). @default true */
  verbose?: boolean;
  /** More arguments, placed before the port (e.g. `['--early-response']`). */
  extraArgs?: string[];
}

/**
 * Starts nghttpd (Debian `nghttp2-server`; installed when missing) on a free
 * 127.0.0.1 port with a fresh certificate and an empty temp document root
 * (`-d`; it serves files from there when `echoUpload` is off).
 * nghttpd answers once the whole request (body included) has arrived.
 * @throws when nghttpd cannot be installed or does not start (its output in the message).
 */
export async function startNghttpd(options: NghttpdOptions = {}): Promise<TestServer> {
  const flags = nghttpdFlags(options);
  const binary = await ensureInstalled('nghttpd', ['nghttp2-server']);
  return launch({
    name: 'nghttpd',
    binary,
    version: nghttpdVersion(binary),
    setup: (dir, certs, port) => {
      const htdocs = join(dir, 'htdocs');
      mkdirSync(htdocs, { recursive: true });
      // Usage: nghttpd [OPTION]... <PORT> <PRIVATE_KEY> <CERT>
      return [...flags, '--address=127.0.0.1', `--htdocs=${htdocs}`, String(port), certs.keyFile, certs.certFile];
    },
    log: (_dir, output: Output) => output.stdout,
    diagnose: (_dir, output: Output) => `${output.stderr.trim()}\n${output.stdout.trim().split('\n').slice(-20).join('\n')}`,
    stopSignal: 'SIGTERM',
  });
}

/** The flags for `options` (checked: integers only, in nghttp2's ranges). */
function nghttpdFlags(options: NghttpdOptions): string[] {
  const flags: string[] = [];
  if (options.verbose ?? true) flags.push('--verbose');
  if (options.echoUpload ?? true) flags.push('--echo-upload');
  if (options.maxConcurrentStreams !== undefined) {
    flags.push(`--max-concurrent-streams=${integer('maxConcurrentStreams', options.maxConcurrentStreams, 0, 2 ** 32 - 1)}`);
  }
  // nghttpd rejects bits above 30 (the window limit is 2^31 - 1).
  if (options.windowBits !== undefined) flags.push(`--window-bits=${integer('windowBits', options.windowBits, 0, 30)}`);
  if (options.connectionWindowBits !== undefined) {
    flags.push(`--connection-window-bits=${integer('connectionWindowBits', options.connectionWindowBits, 0, 30)}`);
  }
  if (options.headerTableSize !== undefined) {
    flags.push(`--header-table-size=${integer('headerTableSize', options.headerTableSize, 0, 2 ** 32 - 1)}`);
  }
  return [...flags, ...(options.extraArgs ?? [])];
}

/** `nghttpd nghttp2/1.52.0` → `1.52.0`. */
function nghttpdVersion(binary: string): string {
  const out = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  const text = `${out.stdout}${out.stderr}`.trim();
  return /nghttp2\/(\S+)/.exec(text)?.[1] ?? text;
}
