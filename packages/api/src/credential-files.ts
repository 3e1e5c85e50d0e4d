/**
 * Credentials (and CA certificates) given as file paths, and a certificate
 * PEM that also holds its key: read and split here, when the `Server` is
 * made, so the rest of the api (and the connection tier's checks) only ever
 * see contents.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, describeValue } from '@pushwire/models';
import { CredentialFileError } from './errors.js';
import { fileErrorReason } from './token-file.js';

/** The armour line every PEM block starts with. */
const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]+-----/;
/**
 * Base64 text long enough to be key material (a `.p8`'s body is ~200
 * characters): the PEM armour was lost, e.g. in an environment variable.
 * A real path has a `.`, `_` or space somewhere in 64 characters.
 */
const BARE_BASE64 = /^[A-Za-z0-9+/=\s]{64,}$/;
/** Longer than any path a system takes (PATH_MAX is 4096 on Linux). */
const MAX_PATH = 4096;
/** Larger than any certificate, key or PKCS#12 bundle APNs needs. */
const MAX_FILE = 1024 * 1024;

/** Whether `text` holds a PEM block (then it is contents, not a path). */
export function isPemText(text: string): boolean {
  return PEM_BEGIN.test(text);
}

/**
 * A credential's contents: a Buffer as is, PEM text as is, any other string
 * read as a path (`binary`: the file's bytes, for PKCS#12; otherwise its
 * text). Nothing of the value or the file is echoed except the path.
 * @param field the option, as the caller wrote it (`auth.cert`), for errors
 * @throws {CredentialFileError} the path cannot be read (or the file is empty or huge).
 * @throws {InvalidArgumentError} a string that is neither PEM text nor a plausible path.
 * @internal
 */
export function credentialContents(value: string | Buffer, field: string, binary: false): string | Buffer;
export function credentialContents(value: string | Buffer, field: string, binary: true): Buffer;
export function credentialContents(value: string | Buffer, field: string, binary: boolean): string | Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (isPemText(value)) {
    if (binary) throw new InvalidArgumentError(field, 'expected a PKCS#12 bundle (a Buffer, or the path of a .p12 file), got PEM text: use `{ cert, key }` for PEM');
    return value;
  }
  const path = value.trim();
  // Key material without its armour, or a multi-line value: refused without showing it.
  if (BARE_BASE64.test(path)) {
    throw new InvalidArgumentError(field, 'expected PEM text (with its `-----BEGIN` line), a file path or a Buffer; this looks like base64 key material without its PEM armour (not shown)');
  }
  if (path.length === 0 || path.length > MAX_PATH || /[\r\n\0]/.test(path)) {
    throw new InvalidArgumentError(field, 'expected PEM text (with its `-----BEGIN` line), a file path or a Buffer; this is neither (not shown)');
  }
  let contents: Buffer;
  try {
    contents = readFileSync(path);
  } catch (error) {
    throw new CredentialFileError(field, path, fileErrorReason(error), { cause: error });
  }
  if (contents.length === 0) throw new CredentialFileError(field, path, 'empty file');
  if (contents.length > MAX_FILE) throw new CredentialFileError(field, path, `larger than ${MAX_FILE} bytes: not a credential file`);
  return binary ? contents : contents.toString('utf8');
}

/**
 * `ca` / `extraCa` with every string that is not PEM text read as a path
 * (one entry, or each entry of a list: `ca[1]` names the second in errors).
 * Buffers and PEM text stay as they are; the connection tier checks them.
 * @internal
 */
export function trustContents(value: CaOption, field: string): CaOption {
  const read = (entry: unknown, name: string): string | Buffer => {
    if (typeof entry !== 'string' && !Buffer.isBuffer(entry)) {
      throw new InvalidArgumentError(name, `expected PEM text, a file path or a Buffer, got ${describeValue(entry)}`);
    }
    // A Buffer or PEM text as is (the connection tier checks the certificates); another string is a path.
    return credentialContents(entry, name, false);
  };
  if (Array.isArray(value)) return value.map((entry, i) => read(entry, `${field}[${i}]`));
  return read(value, field);
}

/** What `ca` and `extraCa` take. @internal */
export type CaOption = string | Buffer | Array<string | Buffer>;

/** Every PEM block of `text` whose label matches `label`, in order, joined by newlines. */
function blocks(text: string, label: RegExp): string | undefined {
  const found: string[] = [];
  for (const match of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)) {
    if (label.test(match[1] as string)) found.push(match[0]);
  }
  return found.length === 0 ? undefined : `${found.join('\n')}\n`;
}

/**
 * `{ cert }` alone: the key is taken from the same PEM (node-apn's and
 * aapns' single `.pem` holding both). Returns the certificate blocks and the
 * private key block, or `undefined` when `cert` holds no private key.
 * @internal
 */
export function splitCombinedPem(cert: string | Buffer): { cert: string; key: string } | undefined {
  const text = Buffer.isBuffer(cert) ? cert.toString('utf8') : cert;
  const key = blocks(text, /(^|\s)PRIVATE KEY$/);
  const certs = blocks(text, /^(TRUSTED )?CERTIFICATE$/);
  if (key === undefined || certs === undefined) return undefined;
  return { cert: certs, key };
}
