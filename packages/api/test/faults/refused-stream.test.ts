import { describe, expect, test } from '@jest/globals';
import { MODES, modeName, scenario } from './helpers.js';

describe.each(MODES.map((mode) => ({ mode, name: modeName(mode) })))('fault: REFUSED_STREAM bursts via $name', ({ mode }) => {
  test('two bursts of 1000 refused streams: never processed, so resent at once; every token sent once', () =>
    scenario(mode, {}, async (s) => {
      s.mock.inject({ kind: 'rst', code: 'REFUSED_STREAM', afterRequests: 2000, times: 1000 });
      s.mock.inject({ kind: 'rst', code: 'REFUSED_STREAM', afterRequests: 6000, times: 1000 });
      const result = await s.run();
      s.verify(result, { clean: true });
      expect(s.mock.stats().reset).toBe(2000);
      expect(result.stats.retried).toBeGreaterThanOrEqual(2000);
      // Refused means not processed: resending is no duplicate.
      expect([...result.outcomes.values()].filter((o) => o.possibleDuplicate)).toEqual([]);
    }));
});
