/**
 * Messages between the soak driver and its mock-server child (IPC over `fork`).
 * @module
 */
import type { Fault } from '@pushwire/mock-server';

/** How the child starts its server: the same port, TLS and key on every restart. */
export interface ServerSetup {
  readonly port: number;
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
  readonly signingKey: { readonly keyId: string; readonly teamId: string; readonly publicKey: string };
  /** Tokens the server answers with 410 Unregistered. */
  readonly unregistered: readonly string[];
}

/** A command to the child; every command is answered with one {@link Reply} carrying its `id`. */
export type Command =
  | { readonly id: number; readonly op: 'inject'; readonly fault: Fault }
  | { readonly id: number; readonly op: 'clearFaults' }
  | { readonly id: number; readonly op: 'goaway' }
  | { readonly id: number; readonly op: 'destroy' }
  | { readonly id: number; readonly op: 'settings'; readonly maxConcurrentStreams: number }
  | { readonly id: number; readonly op: 'count' }
  | { readonly id: number; readonly op: 'stop' };

/** The child's answer: the server's accepted count so far, its connections, and its RSS. */
export interface Reply {
  readonly id: number;
  readonly accepted: number;
  readonly connections: number;
  readonly rss: number;
  readonly error?: string;
}

/** What the child sends once its server listens. */
export interface Ready {
  readonly ready: true;
  readonly origin: string;
}
