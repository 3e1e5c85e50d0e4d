import { describe, expect, test } from '@jest/globals';
import { MODES, N, modeName, scenario } from './helpers.js';

describe.each(MODES.map((mode) => ({ mode, name: modeName(mode) })))('fault: TLS handshakes failing while reconnecting via $name', ({ mode }) => {
  test('connections dropped, the next 3 handshakes reset: reconnects back off and succeed, nothing lost', () =>
    scenario(mode, {}, async (s) => {
      s.when(3000, () => {
        s.mock.inject({ kind: 'tlsFail', connections: 3 });
        s.mock.destroyConnections();
      });
      const result = await s.run();
      s.verify(result, { clean: false });
      expect(s.mock.stats().tlsFailures).toBe(3);
      // A reset handshake is network trouble, not bad configuration: the pool did not close.
      expect(result.stats.closed).toBe(false);
      if (mode.delivery === 'at-least-once') expect(result.counts).toEqual({ sent: N, rejected: 0, notSent: 0, unknown: 0 });
      else expect(result.counts.rejected).toBe(0);
    }));
});
