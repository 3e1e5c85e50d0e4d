/** Test helpers: a raw node:http2 client for the mock, and JWT signing. */
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { connect, type ClientHttp2Session, type OutgoingHttpHeaders, type SecureClientSessionOptions } from 'node:http2';
import type { MockApnsServer, SigningKey } from '../src/index.js';

export const TOPIC = 'com.example.app';

/** A random 32-byte device token (hex). */
export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** Signs a provider token; `encoding` picks raw r||s (JOSE) or DER. */
export function jwt(key: Pick<SigningKey, 'keyId' | 'teamId' | 'key'>, iatMs = Date.now(), encoding: 'ieee-p1363' | 'der' = 'ieee-p1363'): string {
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: key.keyId })).toString('base64url');
  const claims = Buffer.from(JSON.stringify({ iss: key.teamId, iat: Math.floor(iatMs / 1000) })).toString('base64url');
  const signature = sign('sha256', Buffer.from(`${header}.${claims}`), { key: createPrivateKey(key.key), dsaEncoding: encoding });
  return `${header}.${claims}.${signature.toString('base64url')}`;
}

/** A JSON object payload of exactly `bytes` bytes (ASCII), for size limits now that bodies must be JSON. */
export function jsonOfSize(bytes: number): string {
  const empty = '{"aps":{"alert":""}}';
  if (bytes < empty.length) throw new RangeError(`a JSON payload needs at least ${empty.length} bytes`);
  return `{"aps":{"alert":"${'x'.repeat(bytes - empty.length)}"}}`;
}

/** Opens an HTTP/2 session to the mock, trusting its CA (and waits for SETTINGS). */
export async function open(server: MockApnsServer, options: SecureClientSessionOptions = {}): Promise<ClientHttp2Session> {
  const session = connect(server.origin, { ca: server.ca, ...options });
  session.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    session.once('remoteSettings', () => resolve());
    session.once('error', reject);
    session.once('close', () => reject(new Error('closed before SETTINGS')));
  });
  return session;
}

/** What came back for one request. */
export interface Reply {
  status: number;
  headers: Record<string, unknown>;
  body: string;
  json: { reason?: string; timestamp?: number } | undefined;
}

/** Sends one request and collects the answer; rejects on stream errors (RST, GOAWAY). */
export function request(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body: string | Buffer = '{"aps":{"alert":"hi"}}'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ...headers }, { endStream: false });
    let status = 0;
    let responseHeaders: Record<string, unknown> = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      status = Number(h[':status']);
      responseHeaders = h;
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', (error: Error) => reject(Object.assign(error, { rstCode: stream.rstCode })));
    stream.on('close', () => {
      if (status === 0) return reject(Object.assign(new Error(`stream closed without response (code ${stream.rstCode})`), { rstCode: stream.rstCode }));
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ status, headers: responseHeaders, body: text, json: text ? (JSON.parse(text) as Reply['json']) : undefined });
    });
    stream.end(body);
  });
}

const tokens = new WeakMap<MockApnsServer, string>();

/** One provider token per server, reused like a real client does (a new one within 20 min is a 429). */
export function bearer(server: MockApnsServer): string {
  let value = tokens.get(server);
  if (!value) tokens.set(server, (value = `bearer ${jwt(server.signingKey, server.clock.now())}`));
  return value;
}

/** Headers for a valid token-auth push to `token`. */
export function push(server: MockApnsServer, token: string, extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
  return { ':path': `/3/device/${token}`, 'apns-topic': TOPIC, 'apns-push-type': 'alert', authorization: bearer(server), ...extra };
}

/** Closes a client session and waits for it. */
export function close(session: ClientHttp2Session): Promise<void> {
  if (session.closed || session.destroyed) return Promise.resolve();
  return new Promise((resolve) => session.close(() => resolve()));
}
