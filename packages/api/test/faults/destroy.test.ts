import { describe, expect, test } from '@jest/globals';
import { N, modeName, scenario, until, type Mode } from './helpers.js';

// Deliveries swapped from the other faults: the client's unknown outcomes must
// group into a few batch entries (not one per stream), and a raw pool must
// flag what it resent.
const modes: Mode[] = [
  { via: 'client', delivery: 'at-most-once' },
  { via: 'pool', delivery: 'at-least-once' },
];

describe.each(modes.map((mode) => ({ mode, name: modeName(mode) })))('fault: sockets destroyed via $name', ({ mode }) => {
  test('both connections destroyed with ~1000 requests in flight: cut ones are unknown, never silently lost', () =>
    scenario(mode, {}, async (s) => {
      // Slow answers fill the window, then every connection is dropped without GOAWAY.
      s.mock.inject({ kind: 'delay', ms: 300, afterRequests: 2000, times: 2000 });
      let cutWith = 0;
      s.when(1500, async () => {
        await until(() => s.pool.stats().inFlight >= 900, 5_000, 'a full window in flight');
        cutWith = s.pool.stats().inFlight;
        s.mock.destroyConnections();
      });
      const result = await s.run();
      s.verify(result, { clean: false });
      expect(cutWith).toBeGreaterThanOrEqual(900);
      const unknown = result.counts.unknown;
      const duplicates = [...result.outcomes.values()].filter((o) => o.possibleDuplicate).length;
      if (mode.delivery === 'at-least-once') {
        // Every cut request was sent again and flagged: it may reach the device twice.
        expect(result.counts).toEqual({ sent: N, rejected: 0, notSent: 0, unknown: 0 });
        expect(duplicates).toBeGreaterThanOrEqual(500);
      } else {
        // Cut requests are reported unknown; nothing is resent behind the caller's back.
        expect(duplicates).toBe(0);
        expect(unknown).toBeGreaterThanOrEqual(500);
        expect(result.counts.sent + unknown).toBe(N);
        if (mode.via === 'client') expect(result.errorGroups).toBeLessThanOrEqual(3);
      }
    }));
});
