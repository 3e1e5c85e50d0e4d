/**
 * PKCS#12 packaging of a client certificate. node:crypto reads PKCS#12 (the
 * TLS `pfx` option) but cannot write it, so this one feature uses node-forge,
 * an optional peer dependency loaded only here: the PEM path and the rest of
 * the mock work without it.
 */
import { createRequire } from 'node:module';
import type Forge from 'node-forge';
import type { PemPair } from './certs.js';

/**
 * An optional dependency a feature needs is not installed. Install it, or
 * use the feature's alternative (for PKCS#12: `format: 'pem'`).
 */
export class MissingDependencyError extends Error {
  /** Stable identifier to switch on. */
  readonly code = 'ERR_PUSHWIRE_MOCK_MISSING_DEPENDENCY';
  /** The npm package to install, e.g. `node-forge`. */
  readonly dependency: string;

  constructor(dependency: string, feature: string, options?: { cause?: unknown }) {
    super(`${feature} needs the optional dependency ${dependency}: install it (npm install --save-dev ${dependency}) or use format: 'pem'`, options);
    this.name = 'MissingDependencyError';
    this.dependency = dependency;
  }
}

/**
 * Loads node-forge; replaceable in tests to simulate a missing install.
 * Typed `unknown` so no published declaration needs node-forge's types.
 * @internal
 */
export type ForgeLoader = () => unknown;

// require, not import(): issuing certificates is synchronous.
const loadForge: ForgeLoader = () => createRequire(import.meta.url)('node-forge');

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
}

/**
 * Wraps an RSA key and certificate as a PKCS#12 (.p12) bundle (3DES, as
 * Keychain exports do).
 * @throws {MissingDependencyError} when node-forge is not installed.
 */
export function toPkcs12(pair: PemPair, passphrase: string, load: ForgeLoader = loadForge): Buffer {
  let forge: typeof Forge;
  try {
    forge = load() as typeof Forge;
  } catch (error) {
    if (isModuleNotFound(error)) throw new MissingDependencyError('node-forge', "issueClientCertificate({ format: 'pkcs12' })", { cause: error });
    throw error;
  }
  const key = forge.pki.privateKeyFromPem(pair.key);
  const cert = forge.pki.certificateFromPem(pair.cert);
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], passphrase, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
