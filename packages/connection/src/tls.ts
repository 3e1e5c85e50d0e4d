/**
 * TLS setup. Certificate material is loaded into a secure context before any
 * connection is attempted, so a bad file or a wrong passphrase is a typed
 * {@link ConnectError} at connect time. Messages carry only OpenSSL's error
 * code: never the passphrase, the key or the certificate bytes.
 *
 * Verification is always on: there is no `rejectUnauthorized` option. Tests
 * trust a mock server through `ca`, which replaces Node's default roots (only
 * the given CAs are trusted: it fails safe); `extraCa` adds CAs to the roots.
 */
import { X509Certificate } from 'node:crypto';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { InvalidArgumentError } from '@pushwire/models';
import { contextValidityProblem, keyMismatch } from './credentials.js';
import { ConnectError } from './errors.js';
import type { TlsOptions } from './types.js';

/** The parts of `tls.connect` options pushwire sets. @internal */
export interface ResolvedTls {
  readonly secureContext: SecureContext;
  readonly servername: string | undefined;
  /** Whether a client certificate is presented (certificate auth). */
  readonly clientCertificate: boolean;
}

/**
 * Parses an origin: `https:` only, no path, query or credentials.
 * @throws {@link InvalidArgumentError} naming `origin`.
 * @internal
 */
export function parseOrigin(origin: string): URL {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new InvalidArgumentError('origin', 'must be an absolute URL like `https://api.push.apple.com`');
  }
  if (url.protocol !== 'https:') throw new InvalidArgumentError('origin', `must use https:, got ${url.protocol}`);
  if (url.username !== '' || url.password !== '') throw new InvalidArgumentError('origin', 'must not contain credentials');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    throw new InvalidArgumentError('origin', 'must not have a path, query or fragment');
  }
  return url;
}

/** A safe description of an OpenSSL error: its code only. */
function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? code : 'unknown error';
}

type CaList = string | Buffer | Array<string | Buffer>;

/** `ca` / `extraCa` as a list; a bad type is an {@link InvalidArgumentError} naming `field`. */
function caList(field: string, value: CaList): Array<string | Buffer> {
  const list = Array.isArray(value) ? value : [value];
  for (const entry of list) {
    if (typeof entry !== 'string' && !Buffer.isBuffer(entry)) {
      throw new InvalidArgumentError(field, 'must be a PEM string, a Buffer, or an array of them');
    }
  }
  return list;
}

/** Whether a PEM entry holds a certificate; OpenSSL would silently skip one that does not. */
function holdsCertificate(entry: string | Buffer): boolean {
  try {
    new X509Certificate(entry);
    return true;
  } catch {
    return false;
  }
}

/**
 * The CAs a connection trusts: `ca` (or, without it, Node's bundled roots
 * `tls.rootCertificates`) plus `extraCa`; `undefined` means Node's default
 * store (neither option given).
 * @throws {@link InvalidArgumentError} naming `tls.extraCa` for an entry of the wrong type or without a certificate.
 * @internal
 */
export function trustedCas(ca: CaList | undefined, extraCa: CaList | undefined): CaList | undefined {
  if (extraCa === undefined) return ca;
  const extra = caList('tls.extraCa', extraCa);
  const index = extra.findIndex((entry) => !holdsCertificate(entry));
  if (index !== -1) throw new InvalidArgumentError('tls.extraCa', `entry ${index} holds no readable PEM certificate`);
  return [...(ca === undefined ? rootCertificates : caList('tls.ca', ca)), ...extra];
}

/**
 * Loads certificates and keys into a secure context.
 * @throws {@link ConnectError} (not retryable) for unreadable or mismatched material.
 * @throws {@link InvalidArgumentError} for options of the wrong type.
 * @internal
 */
export function resolveTls(options: TlsOptions = {}): ResolvedTls {
  const { cert, key, pfx, passphrase, servername } = options;
  if (passphrase !== undefined && typeof passphrase !== 'string') {
    throw new InvalidArgumentError('tls.passphrase', 'must be a string');
  }
  if (servername !== undefined && (typeof servername !== 'string' || servername === '')) {
    throw new InvalidArgumentError('tls.servername', 'must be a non-empty string');
  }
  if (pfx !== undefined && (cert !== undefined || key !== undefined)) {
    throw new InvalidArgumentError('tls', 'give either `pfx` or `cert` + `key`, not both');
  }
  if ((cert === undefined) !== (key === undefined)) {
    throw new InvalidArgumentError(cert === undefined ? 'tls.cert' : 'tls.key', 'certificate auth needs both `cert` and `key`');
  }
  if (options.ca !== undefined) {
    try {
      createSecureContext({ ca: options.ca });
    } catch (error) {
      throw new ConnectError(`tls.ca could not be loaded (${describe(error)})`, { retryable: false });
    }
  }
  const ca = trustedCas(options.ca, options.extraCa);
  let secureContext: SecureContext;
  try {
    secureContext = createSecureContext({ minVersion: 'TLSv1.2', ca, cert, key, pfx, passphrase });
  } catch (error) {
    const what = pfx !== undefined ? 'PKCS#12 (pfx)' : 'certificate or key';
    // The cause is dropped on purpose: OpenSSL errors can echo input context.
    throw new ConnectError(
      `The client ${what} could not be loaded: malformed file, wrong passphrase, or a key that does not match the certificate (${describe(error)})`,
      { retryable: false },
    );
  }
  const clientCertificate = pfx !== undefined || cert !== undefined;
  // A key of another type than the certificate loads without complaint (OpenSSL keeps one per type) and no certificate is presented.
  const mismatch = cert !== undefined && key !== undefined ? keyMismatch(cert, key, passphrase) : undefined;
  if (mismatch !== undefined) throw new ConnectError(`The client certificate cannot be used: the key does not match the certificate (${mismatch})`, { retryable: false });
  // An expired certificate would be refused by APNs after the handshake; refuse it before connecting.
  const problem = clientCertificate ? contextValidityProblem(secureContext) : undefined;
  if (problem !== undefined) throw new ConnectError(`The client certificate cannot be used: ${problem}`, { retryable: false });
  return { secureContext, servername, clientCertificate };
}
