/**
 * Turns an error met while connecting into a {@link ConnectError} that says
 * whether a new attempt can help. A certificate that cannot be verified, or
 * a TLS handshake the server refuses, fails the same way every time: those
 * are configuration errors (`retryable: false`), not network trouble.
 */
import { ConnectError } from './errors.js';

/**
 * OpenSSL's certificate-verification results as Node reports them in
 * `error.code` (`X509_V_ERR_*` without the prefix), and Node's own host-name
 * check.
 */
const VERIFICATION_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Verification results OpenSSL may add later follow these shapes. */
const VERIFICATION_SHAPE = /^(UNABLE_TO_|CERT_|ERR_TLS_CERT_)|_CERT$/;

/**
 * A TLS alert the peer sent, as Node spells it: `ERR_SSL_` and OpenSSL's
 * reason string upper-cased, spaces made underscores. The prefix names the
 * protocol that defined the alert; OpenSSL 3.2 renamed the `sslv3 alert ...`
 * reasons `ssl/tls alert ...`, so Node 22+ (OpenSSL 3.5) reports e.g.
 * `ERR_SSL_SSL/TLS_ALERT_CERTIFICATE_EXPIRED` where Node 20 (OpenSSL 3.0)
 * reports `ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED`. Group 1: the alert.
 */
const PEER_ALERT = /^ERR_SSL_(?:SSLV3|SSL\/TLS|TLSV1|TLSV13)_ALERT_([A-Z0-9_]+)$/;

/**
 * Alerts by which a server refuses the client certificate (RFC 8446 6.2,
 * RFC 5246 7.2.2): none was sent (TLS 1.3 `certificate_required`), or one
 * it does not accept. TLS 1.2 servers answer a missing one with the less
 * specific `handshake_failure`.
 */
const CERTIFICATE_ALERTS: ReadonlySet<string> = new Set([
  'BAD_CERTIFICATE',
  'UNSUPPORTED_CERTIFICATE',
  'CERTIFICATE_REVOKED',
  'CERTIFICATE_EXPIRED',
  'CERTIFICATE_UNKNOWN',
  'UNKNOWN_CA',
  'ACCESS_DENIED',
  'CERTIFICATE_REQUIRED',
]);

/**
 * TLS-layer codes that mean the connection broke, not that it was refused: an
 * EOF mid-handshake (a load balancer dropping us), a corrupted record, the
 * server's own internal error.
 */
const TRANSIENT_TLS = /UNEXPECTED_EOF|BAD_RECORD_MAC|DECRYPTION_FAILED|ALERT_INTERNAL_ERROR/;

/** What went wrong, as far as retrying is concerned. */
export type ConnectFailureKind =
  /** The server's certificate could not be verified (untrusted CA, wrong host name, expired, ...). */
  | 'verification'
  /** The TLS handshake failed or the server refused it (an alert), e.g. over our client certificate. */
  | 'handshake'
  /** Anything else (DNS, TCP, a reset mid-handshake): a new attempt may work. */
  | 'network';

/**
 * Classifies a connect-time error by its `code`.
 * @internal
 */
export function connectFailureKind(code: string): ConnectFailureKind {
  if (VERIFICATION_CODES.has(code) || VERIFICATION_SHAPE.test(code)) return 'verification';
  if (TRANSIENT_TLS.test(code)) return 'network';
  if (/^ERR_(SSL|TLS)_|ALERT/.test(code)) return 'handshake';
  return 'network';
}

/**
 * An error's `code` if it is a plain identifier (never echoes other text).
 * `/` is allowed for OpenSSL 3.2+'s `ERR_SSL_SSL/TLS_ALERT_*` (see
 * {@link PEER_ALERT}): refusing those left the code empty, and a refused
 * handshake looked like network trouble on Node 22+.
 */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Za-z0-9_/]+$/.test(code) ? code : '';
}

/** What a refused handshake's message says about `code`: the alert the server sent, if it was one. */
function refusal(code: string): string {
  const alert = PEER_ALERT.exec(code)?.[1];
  if (alert === undefined) return 'check the client certificate (expired, revoked, or for the other APNs environment) and the origin';
  const name = `the TLS alert "${alert.toLowerCase().replaceAll('_', ' ')}"`;
  if (CERTIFICATE_ALERTS.has(alert)) {
    return `the server refused the client certificate with ${name}: check that there is one, that it is not expired or revoked, and that it is for this APNs environment`;
  }
  const hint = alert === 'HANDSHAKE_FAILURE' ? ' (a TLS 1.2 server\'s answer to a missing client certificate, too)' : '';
  return `the server ended the handshake with ${name}${hint}: check the client certificate and the origin`;
}

/**
 * The {@link ConnectError} for an error met while connecting to `origin`.
 * The cause is kept: these errors come from the peer or the network and hold
 * no key material of ours.
 * @internal
 */
export function connectFailure(origin: string, error: Error): ConnectError {
  // The engine already judged it (e.g. a server that refused HTTP/2 in ALPN).
  if (error instanceof ConnectError) return error;
  const code = codeOf(error);
  switch (connectFailureKind(code)) {
    case 'verification':
      return new ConnectError(
        `TLS verification of ${origin} failed (${code}): the server's certificate is not trusted for this host. ` +
          'This is a configuration problem, not a network one: check the origin, and trust a test server through `tls.ca`',
        { cause: error, retryable: false },
      );
    case 'handshake':
      return new ConnectError(`The TLS handshake with ${origin} failed (${code}): ${refusal(code)}`, { cause: error, retryable: false });
    case 'network':
      return new ConnectError(`Could not connect to ${origin}: ${error.message}`, { cause: error, retryable: true });
  }
}
