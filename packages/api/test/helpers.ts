/** Shared fixtures: a real mock APNs server and clients connected to it. */
import { randomBytes } from 'node:crypto';
import { MockApnsServer } from '@pushwire/mock-server';
import { Server, type Auth, type ServerOptions } from '../src/index.js';

export const TOPIC = 'com.example.app';

/** A fresh, well-formed 32-byte device token. */
export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** `n` fresh tokens, registered on `server` when given. */
export function tokens(n: number): string[] {
  return Array.from({ length: n }, newToken);
}

/** Starts a token-auth mock server (devices accepted unless unregistered). */
export function startTokenServer(): Promise<MockApnsServer> {
  return MockApnsServer.start({ auth: 'token' });
}

/** Token credentials the mock server trusts. */
export function tokenAuth(server: MockApnsServer): Auth {
  const { keyId, teamId, key } = server.signingKey;
  return { token: { keyId, teamId, key } };
}

/** A `Server` pointing at the mock, trusting its CA. */
export function serverFor(mock: MockApnsServer, auth: Auth = tokenAuth(mock), options: Omit<ServerOptions, 'port' | 'ca'> = {}): Server {
  return Server.custom(mock.origin, auth, { ...options, ca: mock.ca });
}

/** Makes the mock answer requests for `tokens` only after `ms` (a slow APNs). */
export function delayTokens(mock: MockApnsServer, tokens: readonly string[], ms: number): void {
  for (const token of tokens) mock.inject({ kind: 'delay', ms, token });
}

/** Requests the mock received for `token` (answered or not). */
export function requestsFor(mock: MockApnsServer, token: string): number {
  return mock.requests.filter((r) => r.token === token).length;
}
