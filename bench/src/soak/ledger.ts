/**
 * Every send the soak starts, until it settles: outcomes by class, the
 * client-side success count to compare with the server's, and the sends
 * still pending (a send pending past the hang limit is reported as hung).
 * @module
 */

/** How one notification ended. */
export interface Outcome {
  /** e.g. `ok`, `rejected:Unregistered`, `local:BadDeviceToken`, `error:Timeout`. */
  readonly kind: string;
  /** The request may have reached APNs without an answer (timeout, connection cut). */
  readonly unknown?: boolean;
  /** A 200 after an earlier attempt that may also have been processed (at-least-once). */
  readonly possibleDuplicate?: boolean;
}

/** What `settle` needs to know about an operation: its notification count. */
interface Pending {
  readonly started: number;
  readonly notifications: number;
  readonly label: string;
}

export class Ledger {
  readonly #pending = new Map<number, Pending>();
  readonly #outcomes = new Map<string, number>();
  #nextId = 1;
  #started = 0;
  #settled = 0;
  #ok = 0;
  #unknown = 0;
  #possibleDuplicates = 0;
  #maxSettleMs = 0;
  readonly #hung = new Set<number>();

  /** Registers an operation of `notifications` sends; returns its id for {@link Ledger.finish}. */
  begin(label: string, notifications: number, now: number): number {
    const id = this.#nextId++;
    this.#pending.set(id, { started: now, notifications, label });
    this.#started += notifications;
    return id;
  }

  /** Records one notification's outcome. */
  record(outcome: Outcome): void {
    this.#settled++;
    this.#outcomes.set(outcome.kind, (this.#outcomes.get(outcome.kind) ?? 0) + 1);
    if (outcome.kind === 'ok') this.#ok++;
    if (outcome.unknown) this.#unknown++;
    if (outcome.possibleDuplicate) this.#possibleDuplicates++;
  }

  /** Marks operation `id` settled. */
  finish(id: number, now: number): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    this.#maxSettleMs = Math.max(this.#maxSettleMs, now - pending.started);
  }

  /** Operations pending longer than `limitMs` (each counted once as hung). */
  checkHung(now: number, limitMs: number): string[] {
    const found: string[] = [];
    for (const [id, pending] of this.#pending) {
      if (now - pending.started > limitMs && !this.#hung.has(id)) {
        this.#hung.add(id);
        found.push(`${pending.label} (${pending.notifications} notifications) pending for ${Math.round((now - pending.started) / 1000)} s`);
      }
    }
    return found;
  }

  /** Notifications whose operation has not settled yet. */
  get live(): number {
    let n = 0;
    for (const pending of this.#pending.values()) n += pending.notifications;
    return n;
  }

  get pendingOperations(): number {
    return this.#pending.size;
  }

  snapshot(): LedgerSnapshot {
    return {
      started: this.#started,
      settled: this.#settled,
      ok: this.#ok,
      unknown: this.#unknown,
      possibleDuplicates: this.#possibleDuplicates,
      hungOperations: this.#hung.size,
      stillPending: this.#pending.size,
      maxSettleMs: this.#maxSettleMs,
      outcomes: Object.fromEntries([...this.#outcomes].sort((a, b) => b[1] - a[1])),
    };
  }
}

export interface LedgerSnapshot {
  /** Notifications handed to the library. */
  readonly started: number;
  /** Notifications with an outcome. */
  readonly settled: number;
  readonly ok: number;
  readonly unknown: number;
  readonly possibleDuplicates: number;
  readonly hungOperations: number;
  readonly stillPending: number;
  readonly maxSettleMs: number;
  readonly outcomes: Record<string, number>;
}
