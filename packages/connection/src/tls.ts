/**
 * TLS setup. Certificate material is loaded into a secure context before any
 * connection is attempted, so a bad file or a wrong passphrase is a typed
 * {@link ConnectError} at connect time. Messages carry only OpenSSL's error
 * code: never the passphrase, the key or the certificate bytes.
 *
 * Verification is always on: there is no `rejectUnauthorized` option. Tests
 * trust a mock server through `ca`.
 */
import { createSecureContext, type SecureContext } from 'node:tls';
import { InvalidArgumentError } from '@pushwire/models';
import { contextValidityProblem } from './credentials.js';
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

/**
 * Loads certificates and keys into a secure context.
 * @throws {@link ConnectError} (not retryable) for unreadable or mismatched material.
 * @throws {@link InvalidArgumentError} for options of the wrong type.
 * @internal
 */
export function resolveTls(options: TlsOptions = {}): ResolvedTls {
  const { cert, key, pfx, passphrase, ca, servername } = options;
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
  if (ca !== undefined) {
    try {
      createSecureContext({ ca });
    } catch (error) {
      throw new ConnectError(`tls.ca could not be loaded (${describe(error)})`, { retryable: false });
    }
  }
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
  // An expired certificate would be refused by APNs after the handshake; refuse it before connecting.
  const problem = clientCertificate ? contextValidityProblem(secureContext) : undefined;
  if (problem !== undefined) throw new ConnectError(`The client certificate cannot be used: ${problem}`, { retryable: false });
  return { secureContext, servername, clientCertificate };
}
