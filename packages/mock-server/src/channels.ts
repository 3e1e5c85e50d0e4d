/**
 * Broadcast channels, per bundle id: what channel management creates, reads,
 * lists and deletes, and what broadcast pushes are sent to.
 */
import { randomBytes } from 'node:crypto';

/** `message-storage-policy`: 0 stores nothing, 1 keeps the most recent message. */
export type StoragePolicy = 0 | 1;

/** One channel as the mock keeps it. */
export interface MockChannel {
  readonly bundleId: string;
  /** Base64, like Apple's (e.g. `dHN0LXNyY2gtY2hubA==`). */
  readonly channelId: string;
  readonly storagePolicy: StoragePolicy;
  /** Creation time on the server clock (ms). */
  readonly createdAt: number;
}

/** Apple's limit: 10,000 channels per app per environment. */
export const DEFAULT_MAX_CHANNELS = 10_000;

/** Channels of every app on one mock server. */
export class ChannelStore {
  readonly #apps = new Map<string, Map<string, MockChannel>>();
  readonly #disabled = new Set<string>();
  readonly #max: number;

  constructor(maxChannels: number) {
    this.#max = maxChannels;
  }

  /** Creates a channel with a fresh random id; `undefined` when the app is at its limit. */
  create(bundleId: string, storagePolicy: StoragePolicy, now: number): MockChannel | undefined {
    let app = this.#apps.get(bundleId);
    if (!app) this.#apps.set(bundleId, (app = new Map()));
    if (app.size >= this.#max) return undefined;
    let channelId: string;
    do channelId = randomBytes(16).toString('base64');
    while (app.has(channelId));
    const channel = Object.freeze({ bundleId, channelId, storagePolicy, createdAt: now });
    app.set(channelId, channel);
    return channel;
  }

  get(bundleId: string, channelId: string): MockChannel | undefined {
    return this.#apps.get(bundleId)?.get(channelId);
  }

  delete(bundleId: string, channelId: string): boolean {
    return this.#apps.get(bundleId)?.delete(channelId) ?? false;
  }

  /** Channels of `bundleId` (or of every app), oldest first. */
  list(bundleId?: string): MockChannel[] {
    if (bundleId !== undefined) return [...(this.#apps.get(bundleId)?.values() ?? [])];
    return [...this.#apps.values()].flatMap((app) => [...app.values()]);
  }

  /** Broadcast requests for `bundleId` get 400 FeatureNotEnabled. */
  disable(bundleId: string): void {
    this.#disabled.add(bundleId);
  }

  isEnabled(bundleId: string): boolean {
    return !this.#disabled.has(bundleId);
  }
}
