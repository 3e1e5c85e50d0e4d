import { describe, expect, test } from '@jest/globals';
import { MODES, modeName, scenario } from './helpers.js';

describe.each(MODES.map((mode) => ({ mode, name: modeName(mode) })))('fault: 429 with Retry-After via $name', ({ mode }) => {
  test('500 answers of 429 TooManyRequests, retry-after 1 s: each waits its second, then is sent once', () =>
    scenario(mode, {}, async (s) => {
      s.mock.inject({ kind: 'retryAfter', seconds: 1, afterRequests: 2000, times: 500 });
      const result = await s.run();
      s.verify(result, { clean: true });
      expect(s.mock.stats().rejected).toBe(500);
      expect(result.stats.retried).toBeGreaterThanOrEqual(500);
      // Retry-After was honoured: at least the 500 throttled ones took a second.
      expect([...result.outcomes.values()].filter((o) => o.ms >= 1_000).length).toBeGreaterThanOrEqual(500);
    }));
});
