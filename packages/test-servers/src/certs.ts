import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Files made by {@link makeCerts}. */
export interface Certs {
  /** CA certificate (PEM) the clients trust. */
  readonly ca: string;
  readonly caFile: string;
  /** Server certificate (PEM), for `localhost` and 127.0.0.1. */
  readonly certFile: string;
  /** Server private key (PEM, P-256). */
  readonly keyFile: string;
}

/**
 * A throwaway CA and a `localhost` / 127.0.0.1 server certificate signed by
 * it, made with the openssl CLI at run time in `dir`. Nothing is checked in,
 * and the servers get ordinary files they can read with their own TLS stack.
 * @throws when openssl is missing or fails (its stderr is in the message).
 */
export function makeCerts(dir: string): Certs {
  const caFile = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca.key');
  const certFile = join(dir, 'server.pem');
  const keyFile = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const ext = join(dir, 'server.ext');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const openssl = (args: string[]): void => {
    try {
      execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
      throw new Error(`openssl ${args[0]} failed: ${stderr || (error as Error).message}`, { cause: error });
    }
  };
  openssl(['req', '-x509', ...ec, '-keyout', caKey, '-out', caFile, '-days', '2',
    '-subj', '/CN=pushwire test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(['req', '-new', ...ec, '-keyout', keyFile, '-out', csr, '-subj', '/CN=localhost']);
  writeFileSync(ext, [
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    '',
  ].join('\n'));
  openssl(['x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial',
    '-out', certFile, '-days', '2', '-extfile', ext]);
  return { ca: readFileSync(caFile, 'utf8'), caFile, certFile, keyFile };
}
