import type { EngineName } from '@pushwire/api';
import { engineOf, type ClientName } from '../types.js';
import type { ClientRun } from './types.js';

/**
 * Loads only the module of the client under test, so a child's RSS holds one library.
 * A pushwire client gets its row's engine (`engineOf`), always named explicitly.
 */
export async function loadClient(name: ClientName): Promise<ClientRun> {
  const engine = engineOf(name);
  const pushwire = (): EngineName => {
    if (engine === undefined) throw new Error(`${name} has no engine`);
    return engine;
  };
  switch (name) {
    case 'http2-1':
    case 'http2-4': {
      const { run } = await import('./http2.js');
      const sessions = name === 'http2-1' ? 1 : 4;
      return (spec, tokens) => run(spec, tokens, sessions);
    }
    case 'node-apn-chunked':
    case 'node-apn-naive': {
      const { run, CHUNK } = await import('./node-apn.js');
      const chunk = name === 'node-apn-chunked' ? CHUNK : undefined;
      return (spec, tokens) => run(spec, tokens, chunk);
    }
    case 'apns2-chunked':
    case 'apns2-naive': {
      const { run, CHUNK } = await import('./apns2.js');
      const chunk = name === 'apns2-chunked' ? CHUNK : undefined;
      return (spec, tokens) => run(spec, tokens, chunk);
    }
    case 'pushwire-pool-1':
    case 'pushwire-pool-1-node':
    case 'pushwire-pool-4':
    case 'pushwire-pool-4-node': {
      const { run } = await import('./pushwire-pool.js');
      const size = name.startsWith('pushwire-pool-1') ? 1 : 4;
      return (spec, tokens) => run(spec, tokens, size, pushwire());
    }
    case 'pushwire-sendmany':
    case 'pushwire-sendmany-node': {
      const { run } = await import('./pushwire-sendmany.js');
      return (spec, tokens) => run(spec, tokens, pushwire());
    }
    case 'pushwire-burst': {
      const { run } = await import('./pushwire-burst.js');
      return (spec, tokens) => run(spec, tokens, pushwire());
    }
    case 'pushwire-huge': {
      const { run } = await import('./pushwire-huge.js');
      return (spec) => run(spec, pushwire());
    }
    case 'pushwire-cli-bulk': {
      const { run } = await import('./pushwire-cli-bulk.js');
      return (spec) => run(spec, pushwire());
    }
  }
}
