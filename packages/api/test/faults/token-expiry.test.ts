import { describe, expect, test } from '@jest/globals';
import { DEADLINE, MODES, modeName, scenario, until } from './helpers.js';

/**
 * How long the mock holds the requests around the clock jump before it
 * answers them (and checks their token), ms: far longer than the 10 ms poll
 * that notices the first one, well inside a send's deadline.
 */
const HOLD = 1_500;

describe.each(MODES.map((mode) => ({ mode, name: modeName(mode) })))('fault: provider token expires mid-run via $name', ({ mode }) => {
  test('the clock jumps 61 minutes: ExpiredProviderToken, the JWT is re-signed and every token sent once', () =>
    scenario(mode, {}, async (s) => {
      // Requests signed with the old token must still be unchecked when the
      // clock jumps. How far the in-process mock lags behind the client is up
      // to node:http2's scheduling (on Node.js 24 it can read and answer every
      // request written so far between two batches of answers), so the mock
      // holds some: from the 3,001st, each is answered HOLD ms after it came.
      const held = s.mock.inject({ kind: 'delay', ms: HOLD, afterRequests: 3_000, times: 50 });
      let stale = 0;
      // The signer shares the mock's clock: an hour passes for both, while the
      // requests held so far (signed before the jump) wait for their answer.
      const jump = until(() => held.fired > 0, DEADLINE, 'a request held at the mock').then(() => {
        stale = held.fired;
        s.mock.clock.advance(61 * 60_000);
      });
      const before = s.auth.generation;
      const [result] = await Promise.all([s.run(), jump]);
      s.verify(result, { clean: true });
      expect(before).toBeLessThanOrEqual(1);
      expect(s.auth.generation).toBe(2);
      // Requests in flight with the old token were refused (403) and resent with the new one.
      expect(stale).toBeGreaterThan(0);
      expect(s.mock.stats().rejected).toBeGreaterThanOrEqual(stale);
      expect([...result.outcomes.values()].filter((o) => o.possibleDuplicate)).toEqual([]);
    }));
});
