/**
 * `@pushwire/test-servers` (private): HTTP/2 servers we did not write, for
 * testing the client against real implementations, Redis for the queue
 * tier, and tinyproxy (an HTTP CONNECT proxy). nginx, nghttpd, redis-server
 * and tinyproxy are installed when missing (Debian
 * packages, `scripts/install-debian.sh`), configured in a temp dir (the HTTP/2
 * servers with certificates made at run time), started on a free loopback
 * port and stopped again.
 *
 * @example
 * ```ts
 * const server = await startNginx({ maxConcurrentStreams: 10 });
 * const conn = await Connection.connect(server.origin, { tls: { ca: server.ca } });
 * // ...
 * afterAll(stopAll);
 * ```
 * @module
 */
export type { TestServer } from './types.js';
export { startNginx } from './nginx.js';
export type { NginxOptions } from './nginx.js';
export { startNghttpd } from './nghttpd.js';
export type { NghttpdOptions } from './nghttpd.js';
export { startRedis } from './redis.js';
export type { RedisOptions, RedisServer } from './redis.js';
export { startTinyproxy } from './tinyproxy.js';
export type { TinyproxyOptions, TinyproxyServer } from './tinyproxy.js';
export { stopAll } from './launch.js';
export { makeCerts } from './certs.js';
export type { Certs } from './certs.js';
export { freePort, stopChild, waitForH2 } from './process.js';
export { ensureInstalled, findBinary } from './install.js';
