import { describe, expect, test } from '@jest/globals';
import { MODES, modeName, scenario } from './helpers.js';

describe.each(MODES.map((mode) => ({ mode, name: modeName(mode) })))('fault: 503 and 500 storms via $name', ({ mode }) => {
  test('300 × 503 Shutdown then 1500 × 500: retried (elsewhere for Shutdown) with back-off, every token sent once', () =>
    scenario(mode, {}, async (s) => {
      s.mock.inject({ kind: 'status', status: 503, reason: 'Shutdown', afterRequests: 2000, times: 300 });
      s.mock.inject({ kind: 'status', status: 500, reason: 'InternalServerError', afterRequests: 5000, times: 1500 });
      const result = await s.run();
      s.verify(result, { clean: true });
      expect(s.mock.stats().rejected).toBe(1800);
      expect(result.stats.retried).toBeGreaterThanOrEqual(1800);
      // 503 Shutdown retires the connection it came on; its slot is refilled.
      expect(result.stats.reconnects).toBeGreaterThanOrEqual(1);
      expect([...result.outcomes.values()].filter((o) => o.possibleDuplicate)).toEqual([]);
    }));
});
