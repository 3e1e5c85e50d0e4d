/**
 * Up-front checks of client-certificate material, so a truncated file, a
 * wrong passphrase, a key that does not match, or an expired certificate is
 * an {@link InvalidArgumentError} naming the field when a client is made,
 * not a failed handshake later. Messages carry OpenSSL's error code at most:
 * never the passphrase, the key or the certificate bytes, and no `cause`
 * (OpenSSL errors can echo input context).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import { InvalidArgumentError } from '@pushwire/models';
import type { TlsOptions } from './types.js';

/** The names errors use for each piece of material (e.g. `auth.pfx` in the API tier). */
export interface CredentialFields {
  readonly cert: string;
  readonly key: string;
  readonly pfx: string;
  readonly passphrase: string;
}

const TLS_FIELDS: CredentialFields = { cert: 'tls.cert', key: 'tls.key', pfx: 'tls.pfx', passphrase: 'tls.passphrase' };

/** OpenSSL's error code, or the few PKCS#12 messages that have none; nothing else of the error. */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) return code;
  const message = (error as { message?: unknown } | null)?.message;
  if (message === 'mac verify failure') return 'PKCS12_MAC_VERIFY_FAILURE';
  if (message === 'not enough data') return 'PKCS12_NOT_ENOUGH_DATA';
  return 'unknown error';
}

/**
 * Whether a PEM key is encrypted. A wrong passphrase usually fails the
 * cipher's padding check (ERR_OSSL_BAD_DECRYPT), but about one time in 400
 * the padding passes and the garbage fails later with another code.
 */
function isEncryptedPem(key: string | Buffer): boolean {
  const text = typeof key === 'string' ? key : key.toString('latin1');
  return text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || text.includes('Proc-Type: 4,ENCRYPTED');
}

function tryContext(options: Parameters<typeof createSecureContext>[0]): SecureContext | string {
  try {
    return createSecureContext(options);
  } catch (error) {
    return codeOf(error);
  }
}

/**
 * How `key` fails to match the (first) certificate of `cert`, or undefined
 * when it matches or either cannot be read here (the secure context reports
 * those). OpenSSL keeps one certificate per key type, so an EC key given with
 * an RSA certificate loads without complaint and the context then presents
 * no certificate at all: the pair is compared directly. The answer names key
 * types only, never material.
 * @internal
 */
export function keyMismatch(cert: string | Buffer, key: string | Buffer, passphrase: string | undefined): string | undefined {
  let certificate: X509Certificate;
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    certificate = new X509Certificate(cert);
    privateKey = createPrivateKey({ key, passphrase });
  } catch {
    return undefined;
  }
  if (certificate.checkPrivateKey(privateKey)) return undefined;
  const keyType = (privateKey.asymmetricKeyType ?? 'unknown').toUpperCase();
  const certType = (certificate.publicKey.asymmetricKeyType ?? 'unknown').toUpperCase();
  return keyType === certType ? `a different ${keyType} key` : `${keyType} key, ${certType} certificate`;
}

/** The leaf certificate a secure context would present. */
function leafOf(context: SecureContext): X509Certificate | undefined {
  const socket = new TLSSocket(null as never, { secureContext: context });
  try {
    return socket.getX509Certificate();
  } finally {
    socket.destroy();
  }
}

/** Why `certificate` cannot be used at `now` (expired, not yet valid), or undefined. */
function validityProblem(certificate: X509Certificate, now: number): string | undefined {
  const from = Date.parse(certificate.validFrom);
  const to = Date.parse(certificate.validTo);
  if (Number.isFinite(to) && now > to) return `the client certificate expired on ${new Date(to).toISOString()}; renew it in the Apple developer account`;
  if (Number.isFinite(from) && now < from) return `the client certificate is not valid before ${new Date(from).toISOString()}`;
  return undefined;
}

function checkValidity(certificate: X509Certificate | undefined, field: string, now: number): void {
  if (certificate === undefined) throw new InvalidArgumentError(field, 'holds no certificate');
  const problem = validityProblem(certificate, now);
  if (problem !== undefined) throw new InvalidArgumentError(field, problem);
}

/**
 * Why the client certificate a secure context presents cannot be used now,
 * or undefined (also when it presents none).
 * @internal
 */
export function contextValidityProblem(context: SecureContext, now = Date.now()): string | undefined {
  const leaf = leafOf(context);
  return leaf === undefined ? undefined : validityProblem(leaf, now);
}

/**
 * Loads client-certificate material (`cert` + `key`, or `pfx`, with an
 * optional `passphrase`) and checks the certificate's validity dates. Does
 * nothing for token auth (no `cert` and no `pfx`).
 *
 * @param fields names for the errors (default `tls.cert`, `tls.key`, `tls.pfx`, `tls.passphrase`)
 * @param now the clock, in ms since epoch
 * @throws {@link InvalidArgumentError} naming the field at fault.
 * @example
 * ```ts
 * checkClientCredentials({ pfx: readFileSync('push.p12'), passphrase }); // throws on a wrong passphrase
 * ```
 */
export function checkClientCredentials(options: TlsOptions, fields: CredentialFields = TLS_FIELDS, now = Date.now()): void {
  const { cert, key, pfx, passphrase } = options;
  if (passphrase !== undefined && typeof passphrase !== 'string') throw new InvalidArgumentError(fields.passphrase, 'must be a string');
  if (pfx !== undefined) {
    const context = tryContext({ pfx, passphrase });
    if (typeof context === 'string') {
      if (context === 'PKCS12_MAC_VERIFY_FAILURE') {
        throw new InvalidArgumentError(
          fields.passphrase,
          passphrase === undefined
            ? 'is missing: the PKCS#12 bundle is encrypted'
            : 'does not open the PKCS#12 bundle (wrong passphrase, or a corrupted bundle)',
        );
      }
      throw new InvalidArgumentError(fields.pfx, `is not a readable PKCS#12 bundle: truncated or not PKCS#12 (${context})`);
    }
    checkValidity(leafOf(context), fields.pfx, now);
    return;
  }
  if (cert === undefined && key === undefined) return;
  if (cert === undefined || key === undefined) {
    throw new InvalidArgumentError(cert === undefined ? fields.cert : fields.key, 'certificate auth needs both `cert` and `key`');
  }
  const certOnly = tryContext({ cert });
  if (typeof certOnly === 'string') throw new InvalidArgumentError(fields.cert, `is not a readable PEM certificate: truncated or malformed (${certOnly})`);
  const keyOnly = tryContext({ key, passphrase });
  if (typeof keyOnly === 'string') {
    if (keyOnly === 'ERR_OSSL_BAD_DECRYPT' || isEncryptedPem(key)) {
      throw new InvalidArgumentError(
        fields.passphrase,
        passphrase === undefined ? 'is missing: the private key is encrypted' : 'does not decrypt the private key (wrong passphrase)',
      );
    }
    throw new InvalidArgumentError(fields.key, `is not a readable PEM private key: truncated or malformed (${keyOnly})`);
  }
  const mismatch = keyMismatch(cert, key, passphrase);
  if (mismatch !== undefined) throw new InvalidArgumentError(fields.key, `the key does not match the certificate (${mismatch})`);
  const both = tryContext({ cert, key, passphrase });
  if (typeof both === 'string') throw new InvalidArgumentError(fields.key, `the key does not match the certificate (${both})`);
  checkValidity(leafOf(both), fields.cert, now);
}
