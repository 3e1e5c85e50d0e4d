/**
 * Test PKI: a CA, a server certificate for localhost, and APNs-style client
 * certificates (subject UID = bundle id, Apple's environment and topics
 * extensions), all generated in memory with @peculiar/x509 over webcrypto.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, webcrypto, type KeyObject } from 'node:crypto';
import type * as X509 from '@peculiar/x509';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

let x509: typeof X509;
let loading: Promise<typeof X509> | undefined;

/**
 * Loads @peculiar/x509 after installing the Reflect shim it needs. Dynamic on
 * purpose: a static import can run the CommonJS build (under Jest's ESM
 * loader, for one) before the shim module's body.
 */
export function loadX509(): Promise<typeof X509> {
  loading ??= (async () => {
    await import('./reflect-shim.js');
    const lib = await import('@peculiar/x509');
    lib.cryptoProvider.set(webcrypto as unknown as Parameters<typeof lib.cryptoProvider.set>[0]);
    x509 = lib;
    return lib;
  })();
  return loading;
}

/** Apple's certificate extension OIDs (node-apn `lib/credentials/oids.js`). */
export const APNS_OIDS = {
  development: '1.2.840.113635.100.6.3.1',
  production: '1.2.840.113635.100.6.3.2',
  topics: '1.2.840.113635.100.6.3.6',
} as const;
const UID = '0.9.2342.19200300.100.1.1';
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;
const DAY = 86_400_000;

/** A certificate and its private key, both PEM. */
export interface PemPair {
  readonly cert: string;
  readonly key: string;
}

/** A CA able to sign further certificates. */
export interface CertificateAuthority extends PemPair {
  readonly certificate: X509.X509Certificate;
  readonly keys: CryptoKeyPair;
  /** The CA key for node:crypto signing. */
  readonly privateKey: KeyObject;
  /** RSA key pair shared by the client certificates this CA issues (RSA keygen is slow). */
  readonly clientKey?: { readonly privateKey: KeyObject; readonly publicKey: KeyObject };
}

function serial(): string {
  // Positive, 16 bytes: unique per certificate so clients never confuse two.
  // The top bit clear keeps it positive; the next bit set keeps the first
  // byte non-zero, since DER forbids a leading zero byte the value does not
  // need and OpenSSL refuses such a certificate ("illegal padding", 1 in 256).
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString('hex');
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END PRIVATE KEY-----\n`;
}

/**
 * Creates a self-signed CA named `name`, valid for ten years: EC P-256, or
 * RSA-2048 like Apple's WWDR CA (client certificates: PKCS#12 tools such as
 * node-forge only understand RSA).
 */
export async function createCa(name: string, type: 'ec' | 'rsa' = 'ec'): Promise<CertificateAuthority> {
  await loadX509();
  const alg = type === 'ec' ? EC : RSA;
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name}, O=pushwire mock`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 3650 * DAY),
    signingAlgorithm: alg,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const key = await keyPem(keys.privateKey);
  const ca = { certificate, keys, privateKey: createPrivateKey(key), cert: certificate.toString('pem'), key };
  if (type === 'ec') return ca;
  const client = (await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as CryptoKeyPair;
  const privateKey = createPrivateKey(await keyPem(client.privateKey));
  return { ...ca, clientKey: { privateKey, publicKey: createPublicKey(privateKey) } };
}

/** Issues a server certificate for localhost, 127.0.0.1 and ::1 (plus `hosts`). */
export async function issueServerCertificate(ca: CertificateAuthority, hosts: readonly string[] = []): Promise<PemPair> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const names = new Set(['localhost', '127.0.0.1', '::1', ...hosts]);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: 'CN=localhost, O=pushwire mock',
    issuer: ca.certificate.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    signingAlgorithm: EC,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        [...names].map((value) => ({ type: /^[\d.]+$|:/.test(value) ? ('ip' as const) : ('dns' as const), value })),
      ),
    ],
  });
  return { cert: certificate.toString('pem'), key: await keyPem(keys.privateKey) };
}

/** What an APNs client certificate says about its app. */
export interface ClientCertificateSpec {
  /** The app's bundle id: the subject UID and the default topic. */
  bundleId: string;
  /** Extra topics (Apple's 1.2.840.113635.100.6.3.6 extension), e.g. `${bundleId}.voip`. */
  topics?: readonly string[];
  /** Which APNs environment the certificate is for. @default 'development' */
  environment?: 'development' | 'production' | 'both';
  /** Issue a certificate that expired yesterday. @default false */
  expired?: boolean;
}

/** DER of a UTF8String or SEQUENCE, enough for Apple's topics extension. */
function der(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

/** Apple's topics extension: SEQUENCE { topic, SEQUENCE { "app" }, ... }. */
function topicsValue(topics: readonly string[]): Buffer {
  const utf8 = (s: string): Buffer => der(0x0c, Buffer.from(s, 'utf8'));
  return der(0x30, Buffer.concat(topics.flatMap((t) => [utf8(t), der(0x30, utf8('app'))])));
}

/** DER TLV with a definite length. */
function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : n < 0x10000 ? Buffer.from([0x82, n >> 8, n & 0xff]) : Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

function utcTime(date: Date): Buffer {
  const iso = date.toISOString(); // 2026-01-02T03:04:05.000Z -> 260102030405Z
  return tlv(0x17, Buffer.from(`${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`));
}

/** The signature AlgorithmIdentifier for the CA's key: ecdsa-with-SHA256 or sha256WithRSAEncryption (NULL parameters). */
function signatureAlgorithm(key: KeyObject): Buffer {
  return key.asymmetricKeyType === 'ec' ? tlv(0x30, Buffer.from('06082a8648ce3d040302', 'hex')) : tlv(0x30, Buffer.from('06092a864886f70d01010b0500', 'hex'));
}

/**
 * Issues an RSA-2048 client certificate like the ones Apple's developer portal
 * hands out (RSA, so PKCS#12 tools such as node-forge can wrap it). Uses the
 * CA's shared client key when it has one: tests need distinct certificates,
 * not distinct keys, and RSA key generation takes ~100 ms.
 * Synchronous on purpose (tests call it inline): the TBS certificate is
 * assembled as DER here and signed with node:crypto.
 */
export function issueClientCertificate(ca: CertificateAuthority, spec: ClientCertificateSpec): PemPair {
  const { privateKey, publicKey } = ca.clientKey ?? generateKeyPairSync('rsa', { modulusLength: 2048 });
  const environment = spec.environment ?? 'development';
  const now = Date.now();
  const extensions: X509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
  ];
  // Apple marks the environment with an extension whose value is ASN.1 NULL.
  const NULL = new Uint8Array([0x05, 0x00]);
  if (environment !== 'production') extensions.push(new x509.Extension(APNS_OIDS.development, false, NULL));
  if (environment !== 'development') extensions.push(new x509.Extension(APNS_OIDS.production, false, NULL));
  if (spec.topics !== undefined) {
    const all = [spec.bundleId, ...spec.topics.filter((t) => t !== spec.bundleId)];
    extensions.push(new x509.Extension(APNS_OIDS.topics, false, topicsValue(all)));
  }
  const subject = new x509.Name(`${UID}=${spec.bundleId}, CN=Apple Push Services: ${spec.bundleId}, OU=MOCKTEAM01, O=pushwire mock, C=US`);
  const algorithm = signatureAlgorithm(ca.privateKey);
  const tbs = tlv(
    0x30,
    Buffer.from('a003020102', 'hex'), // [0] version v3
    tlv(0x02, Buffer.from(serial(), 'hex')),
    algorithm,
    Buffer.from(ca.certificate.subjectName.toArrayBuffer()),
    tlv(0x30, utcTime(new Date(spec.expired ? now - 400 * DAY : now - DAY)), utcTime(new Date(spec.expired ? now - DAY : now + 365 * DAY))),
    Buffer.from(subject.toArrayBuffer()),
    publicKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, tlv(0x30, ...extensions.map((e) => Buffer.from(e.rawData)))),
  );
  const signature = sign('sha256', tbs, ca.privateKey);
  const der = tlv(0x30, tbs, algorithm, tlv(0x03, Buffer.from([0]), signature));
  const cert = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END CERTIFICATE-----\n`;
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** What the server reads from a verified client certificate. */
export interface ClientIdentity {
  readonly bundleId: string;
  /** Topics the certificate may push to (bundle id first). */
  readonly topics: readonly string[];
  readonly development: boolean;
  readonly production: boolean;
}

/** Parses Apple's UID, environment and topics out of a client certificate (DER). Call {@link loadX509} first. */
export function readClientIdentity(raw: Buffer): ClientIdentity | undefined {
  const certificate = new x509.X509Certificate(raw);
  const bundleId = certificate.subjectName.getField(UID)[0];
  if (bundleId === undefined) return undefined;
  const topicsExt = certificate.getExtension(APNS_OIDS.topics);
  let topics: string[] = [bundleId];
  if (topicsExt) {
    // The value holds UTF8Strings (topics) and nested SEQUENCEs (their kinds): keep top-level strings.
    const value = Buffer.from(topicsExt.value);
    topics = [];
    let i = value[1]! < 0x80 ? 2 : 2 + (value[1]! & 0x7f);
    while (i < value.length) {
      const tag = value[i]!;
      let len = value[i + 1]!;
      let head = 2;
      if (len >= 0x80) {
        const bytes = len & 0x7f;
        len = value.readUIntBE(i + 2, bytes);
        head += bytes;
      }
      if (tag === 0x0c) topics.push(value.subarray(i + head, i + head + len).toString('utf8'));
      i += head + len;
    }
  }
  return {
    bundleId,
    topics,
    development: certificate.getExtension(APNS_OIDS.development) !== null,
    production: certificate.getExtension(APNS_OIDS.production) !== null,
  };
}
