import { randomBytes } from 'node:crypto';

/** The topic every client sends to; the mock server accepts any bundle id. */
export const TOPIC = 'dev.pushwire.bench';

/**
 * The one payload every client sends. Key order matches what apns2's `Notification`
 * builds from `{ alert, sound, badge }`, so all clients put the same bytes on the wire.
 */
export const PAYLOAD = {
  aps: {
    alert: { title: 'pushwire bench', body: 'Hello from the benchmark' },
    sound: 'default',
    badge: 1,
  },
} as const;

export const PAYLOAD_JSON = JSON.stringify(PAYLOAD);

/** `n` distinct 32-byte device tokens as lowercase hex, built before the clock starts. */
export function deviceTokens(n: number): string[] {
  const bytes = randomBytes(32 * n);
  const tokens = new Array<string>(n);
  for (let i = 0; i < n; i++) tokens[i] = bytes.toString('hex', i * 32, i * 32 + 32);
  return tokens;
}

/** Splits `items` into arrays of at most `size` (the peers' "chunked" form). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Adds one failure to a reason → count map. Numbers in the reason (queue lengths,
 * stream ids) become `#` so one kind of failure stays one row.
 */
export function countFailure(failures: Record<string, number>, reason: string, count = 1): void {
  const key = reason.replace(/\d+/g, '#');
  failures[key] = (failures[key] ?? 0) + count;
}
