import { describe, expect, test } from '@jest/globals';
import { MODES, modeName, scenario, until } from './helpers.js';

describe.each(MODES.map((mode) => ({ mode, name: modeName(mode) })))('fault: SETTINGS_MAX_CONCURRENT_STREAMS via $name', ({ mode }) => {
  test('dropped to 1 mid-burst, then raised again: the client follows both ways, every token sent once', () =>
    scenario(mode, {}, async (s) => {
      let lowest = Number.POSITIVE_INFINITY;
      s.when(2000, async () => {
        s.mock.setMaxConcurrentStreams(1);
        await until(() => s.pool.stats().capacity <= 2, 5_000, 'the client to see SETTINGS 1');
        lowest = s.pool.stats().capacity;
        await new Promise((resolve) => setTimeout(resolve, 300));
        s.mock.setMaxConcurrentStreams(1000);
      });
      const result = await s.run();
      s.verify(result, { clean: true });
      expect(lowest).toBe(2); // two connections, one stream each
      expect(result.stats.capacity).toBe(2000);
      for (const c of s.mock.stats().perConnection) if (!c.closed) expect(c.maxConcurrentStreams).toBe(1000);
    }));
});
