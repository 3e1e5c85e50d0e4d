// Unknown option names are refused before any I/O, naming the option and
// what to use instead: a near name ("did you mean"), a renamed one's new
// name, or where another tier's option belongs.
import { describe, expect, test } from '@jest/globals';
import { Connection, InvalidArgumentError, type ConnectionOptions } from '../src/index.js';

/** Nothing listens there: a check that let the options through would fail with a ConnectError instead. */
const NOWHERE = 'https://localhost:1';

describe('Connection.connect refuses unknown option names', () => {
  test.each<[string, object, string, string]>([
    ['a typo', { maxConcurentStreams: 5 }, 'maxConcurentStreams', 'did you mean `maxConcurrentStreams`?'],
    ['another case', { ConnectTimeout: 5_000 }, 'ConnectTimeout', 'did you mean `connectTimeout`?'],
    ['the old pingInterval', { pingInterval: 5_000 }, 'pingInterval', 'renamed to `ping: { interval }`'],
    ['the old busyPingInterval', { busyPingInterval: 5_000 }, 'busyPingInterval', 'renamed to `ping: { busyInterval }`'],
    ['a typo inside ping', { ping: { intervall: 5_000 } }, 'ping.intervall', 'did you mean `interval`?'],
    ['a request option', { timeout: 5_000 }, 'timeout', '`Request.create(path, headers, body, { attemptTimeout })`'],
    ['a pool option', { connections: 2 }, 'connections', '`new Pool(origin, { connections })`'],
    ['a proxy in the ping options', { ping: { proxy: 'http://proxy:3128' } }, 'ping.proxy', 'it is a client or connection option'],
  ])('%s', async (_name, options, field, hint) => {
    const error = await Connection.connect(NOWHERE, options as ConnectionOptions).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ field });
    expect((error as Error).message).toContain(hint);
  });

  test('a name nothing resembles lists the names it takes', async () => {
    const error = await Connection.connect(NOWHERE, { zzz: 1 } as ConnectionOptions).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/is not an option of Connection\.connect\(\); it takes `tls`, `auth`, .*`engine`/);
  });

  test('an option set to undefined (a spread of unset settings) is not refused', async () => {
    const error = await Connection.connect(NOWHERE, { pingInterval: undefined, connectTimeout: 1_000 } as ConnectionOptions).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(InvalidArgumentError);
  });
});
