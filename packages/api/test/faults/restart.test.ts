import { describe, expect, test } from '@jest/globals';
import { MODES, N, modeName, scenario } from './helpers.js';

describe.each(MODES.map((mode) => ({ mode, name: modeName(mode) })))('fault: server restarted on the same port via $name', ({ mode }) => {
  test('every connection dropped, 300 ms of refused connects, then the same server again: nothing lost, close() does not hang', () =>
    scenario(mode, {}, async (s) => {
      const port = s.mock.port;
      s.when(3000, () => s.mock.restart({ downtime: 300 }));
      const result = await s.run();
      s.verify(result, { clean: false });
      expect(s.mock.port).toBe(port);
      expect(s.mock.stats().connections).toBeGreaterThanOrEqual(3);
      expect(result.stats.reconnects).toBeGreaterThanOrEqual(2);
      if (mode.delivery === 'at-least-once') expect(result.counts).toEqual({ sent: N, rejected: 0, notSent: 0, unknown: 0 });
      else expect(result.counts.rejected).toBe(0);
    }));
});
