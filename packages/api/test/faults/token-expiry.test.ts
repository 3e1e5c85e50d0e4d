import { describe, expect, test } from '@jest/globals';
import { MODES, modeName, scenario } from './helpers.js';

describe.each(MODES.map((mode) => ({ mode, name: modeName(mode) })))('fault: provider token expires mid-run via $name', ({ mode }) => {
  test('the clock jumps 61 minutes: ExpiredProviderToken, the JWT is re-signed and every token sent once', () =>
    scenario(mode, {}, async (s) => {
      // The signer shares the mock's clock: an hour passes for both.
      s.when(3000, () => s.mock.clock.advance(61 * 60_000));
      const before = s.auth.generation;
      const result = await s.run();
      s.verify(result, { clean: true });
      expect(before).toBeLessThanOrEqual(1);
      expect(s.auth.generation).toBe(2);
      // Requests in flight with the old token were refused (403) and resent with the new one.
      expect(s.mock.stats().rejected).toBeGreaterThan(0);
      expect([...result.outcomes.values()].filter((o) => o.possibleDuplicate)).toEqual([]);
    }));
});
