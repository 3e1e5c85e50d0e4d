/**
 * PKCS#12 packaging of a client certificate. node-forge is an optional
 * dependency loaded only here, so the PEM path works without it.
 */
import { createRequire } from 'node:module';
import type Forge from 'node-forge';
import type { PemPair } from './certs.js';

/**
 * Wraps an RSA key and certificate as a PKCS#12 (.p12) bundle (3DES, as
 * Keychain exports do).
 * @throws {Error} when node-forge is not installed.
 */
export function toPkcs12(pair: PemPair, passphrase: string): Buffer {
  let forge: typeof Forge;
  try {
    // require, not import(): issuing certificates is synchronous.
    forge = createRequire(import.meta.url)('node-forge') as typeof Forge;
  } catch (error) {
    throw new Error("format: 'pkcs12' needs the optional dependency node-forge (npm install node-forge)", { cause: error });
  }
  const key = forge.pki.privateKeyFromPem(pair.key);
  const cert = forge.pki.certificateFromPem(pair.cert);
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], passphrase, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
