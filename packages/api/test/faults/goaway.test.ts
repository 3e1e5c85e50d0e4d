import { describe, expect, test } from '@jest/globals';
import { MODES, modeName, scenario } from './helpers.js';

describe.each(MODES.map((mode) => ({ mode, name: modeName(mode) })))('fault: GOAWAY mid-burst via $name', ({ mode }) => {
  test('last-stream-id in the middle of the in-flight window: streams above it are resent, every token sent once', () =>
    scenario(mode, {}, async (s) => {
      // Hold ~1000 requests open so the GOAWAY lands on a full window.
      s.mock.inject({ kind: 'delay', ms: 150, afterRequests: 2000, times: 1000 });
      s.mock.inject({ kind: 'goaway', afterRequests: 2700, lastStreamId: 'middle', reason: 'Shutdown' });
      const result = await s.run();
      s.verify(result, { clean: true });
      const stats = s.mock.stats();
      const told = stats.perConnection.filter((c) => c.goaway !== undefined);
      expect(told).toHaveLength(1);
      // Streams above the last stream id were refused, never processed, and went out again.
      const refused = told[0]!.refused;
      expect(refused).toBeGreaterThan(50);
      expect(result.stats.retried).toBeGreaterThanOrEqual(refused);
    }));
});
