/**
 * The injected faults and their counters: which ones fire for a request,
 * which are spent. Faults are checked in injection order.
 */
import type { Fault, IdleTimeoutFault, RequestFault, TlsFailFault } from './faults.js';

/** A live view of one injected fault. */
export interface FaultHandle {
  readonly fault: Fault;
  /** How many times it has fired. */
  readonly fired: number;
  /** True once it can fire no more (or was removed). */
  readonly spent: boolean;
  /** Stops it firing. */
  remove(): void;
}

/** What a fault's scope is matched against. */
export interface RequestInfo {
  readonly token: string | undefined;
  readonly topic: string | undefined;
  readonly connection: number;
}

interface Counter {
  seen: number;
  fired: number;
}

const ONCE: ReadonlySet<Fault['kind']> = new Set(['goaway', 'destroy', 'settings', 'failNth']);

class Entry implements FaultHandle {
  readonly fault: Fault;
  readonly #limit: number;
  readonly #owner: FaultSet;
  readonly #global: Counter = { seen: 0, fired: 0 };
  #perConnection: Map<number, Counter> | undefined;
  #fired = 0;
  #removed = false;

  constructor(fault: Fault, owner: FaultSet) {
    this.fault = fault;
    this.#owner = owner;
    const f = fault as Partial<RequestFault> & Partial<TlsFailFault>;
    this.#limit = fault.kind === 'tlsFail' ? (f.connections ?? 1) : (f.times ?? (ONCE.has(fault.kind) || f.nth !== undefined ? 1 : Infinity));
  }

  get fired(): number {
    return this.#fired;
  }

  get spent(): boolean {
    return this.#removed || (this.fault.kind !== 'idleTimeout' && !(this.fault as RequestFault).perConnection && this.#fired >= this.#limit);
  }

  remove(): void {
    this.#removed = true;
    this.#owner.drop(this);
  }

  /** Counts a connection-level firing (tlsFail, idleTimeout). */
  fire(): void {
    this.#fired++;
    if (this.#fired >= this.#limit) this.remove();
  }

  /** Counts `info` if in scope; true when the fault fires for it. */
  offer(info: RequestInfo): boolean {
    const f = this.fault as RequestFault;
    if (f.token !== undefined && f.token !== info.token) return false;
    if (f.topic !== undefined && f.topic !== info.topic) return false;
    if (f.connection !== undefined && f.connection !== info.connection) return false;
    let counter = this.#global;
    if (f.perConnection) {
      this.#perConnection ??= new Map();
      counter = this.#perConnection.get(info.connection) ?? { seen: 0, fired: 0 };
      this.#perConnection.set(info.connection, counter);
    }
    counter.seen++;
    const nth = f.kind === 'failNth' ? f.n : f.nth;
    if (counter.fired >= this.#limit) return false;
    if (nth !== undefined ? counter.seen !== nth : counter.seen <= (f.afterRequests ?? 0)) return false;
    counter.fired++;
    this.#fired++;
    if (!f.perConnection && this.#fired >= this.#limit) this.remove();
    return true;
  }
}

/** The server's injected faults. */
export class FaultSet {
  #request: Entry[] = [];
  #tls: Entry[] = [];
  #idle: Entry[] = [];

  /** Number of active request faults (0 means the fast path). */
  get size(): number {
    return this.#request.length;
  }

  /** Adds a (validated) fault. */
  add(fault: Fault): FaultHandle {
    const entry = new Entry(fault, this);
    if (fault.kind === 'tlsFail') this.#tls.push(entry);
    else if (fault.kind === 'idleTimeout') this.#idle.push(entry);
    else this.#request.push(entry);
    return entry;
  }

  /** @internal removes a spent or removed entry. */
  drop(entry: FaultHandle): void {
    this.#request = this.#request.filter((e) => e !== entry);
    this.#tls = this.#tls.filter((e) => e !== entry);
    this.#idle = this.#idle.filter((e) => e !== entry);
  }

  /** Removes every fault. */
  clear(): void {
    for (const e of [...this.#request, ...this.#tls, ...this.#idle]) e.remove();
  }

  /** The faults that fire for this request, in injection order (undefined when none). */
  match(info: RequestInfo): RequestFault[] | undefined {
    let fired: RequestFault[] | undefined;
    // Copy: offer() may remove spent entries from the list.
    for (const entry of [...this.#request]) {
      if (entry.offer(info)) (fired ??= []).push(entry.fault as RequestFault);
    }
    return fired;
  }

  /** True when the next TLS handshake must fail (and counts it). */
  takeTlsFailure(): boolean {
    const entry = this.#tls[0];
    if (!entry) return false;
    entry.fire();
    return true;
  }

  /** The idle timeout applying to `connection`, if any, and a callback to count its firing. */
  idleTimeout(connection: number): { ms: number; fire: () => void } | undefined {
    const entry = this.#idle.find((e) => {
      const f = e.fault as IdleTimeoutFault;
      return f.connection === undefined || f.connection === connection;
    });
    if (!entry) return undefined;
    return { ms: (entry.fault as IdleTimeoutFault).ms ?? 1000, fire: () => entry.fire() };
  }
}
