import { describe, expect, test } from '@jest/globals';
import { DEADLINE, MODES, N, modeName, scenario } from './helpers.js';

describe.each(MODES.map((mode) => ({ mode, name: modeName(mode) })))('fault: stalled server via $name', ({ mode }) => {
  test('every connection stops answering, PINGs included: the PING timeout drops them and sending moves on', () =>
    scenario(mode, { proxy: true }, async (s) => {
      // Also stall one stream outright on the server, so a request is stuck even before the freeze.
      s.mock.inject({ kind: 'stall', afterRequests: 2500, times: 1 });
      s.when(3000, () => s.proxy!.freeze());
      const result = await s.run();
      s.verify(result, { clean: false });
      expect(s.proxy!.frozen).toBe(2);
      expect(result.stats.reconnects).toBeGreaterThanOrEqual(2);
      const outcomes = [...result.outcomes.values()];
      // Detected by the PING (500 ms quiet + 1 s timeout), not by the 8 s deadline.
      const cut = outcomes.filter((o) => o.outcome !== 'sent' || o.possibleDuplicate);
      expect(cut.length).toBeGreaterThan(0);
      expect(cut.filter((o) => o.ms >= DEADLINE)).toEqual([]);
      if (mode.delivery === 'at-least-once') {
        expect(result.counts).toEqual({ sent: N, rejected: 0, notSent: 0, unknown: 0 });
      } else {
        for (const o of cut) {
          expect(o.outcome).toBe('unknown');
          expect(String((o.error?.cause as Error | undefined)?.message)).toMatch(/PING not answered/);
        }
        expect(result.counts.sent + cut.length).toBe(N);
      }
    }));
});
