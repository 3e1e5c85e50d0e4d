/**
 * Network faults below HTTP/2, for tests of what a client does when the
 * path to the server fails: a TCP relay that can go silent, a server that
 * accepts TCP and never speaks TLS, a port nothing listens on.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

function close(server: Server, sockets: Iterable<Socket>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const socket of sockets) socket.destroy();
  return closed;
}

/**
 * A TCP relay on loopback in front of `target` that can freeze: bytes stop
 * flowing both ways on its current connections while the sockets stay open,
 * as when a front end hangs (the server answers nothing, PINGs go
 * unanswered). New connections flow normally. (The mock's `stall` fault
 * with `ignorePings` stops reading in node:http2, which reads again after
 * its own writes; a relay outside it freezes for real.)
 * @example
 * const relay = await FreezableRelay.start(mock.port);
 * // connect to `https://localhost:${relay.port}` with `ca: mock.ca`, then:
 * relay.freeze();
 */
export class FreezableRelay {
  readonly #server: Server;
  readonly #pairs = new Set<readonly [Socket, Socket]>();
  /** Connections frozen so far. */
  frozen = 0;
  /** The loopback port to connect to. */
  readonly port: number;

  private constructor(server: Server, port: number) {
    this.#server = server;
    this.port = port;
  }

  /** Starts relaying from a free loopback port to `target` on 127.0.0.1. */
  static async start(target: number): Promise<FreezableRelay> {
    const server = createServer();
    const relay = new FreezableRelay(server, await listen(server));
    server.on('connection', (client) => relay.#pipe(client, createConnection({ host: '127.0.0.1', port: target })));
    return relay;
  }

  /** Stops relaying on every current connection; the sockets stay open. */
  freeze(): void {
    for (const [client, upstream] of this.#pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
      this.frozen++;
    }
  }

  /** Stops listening and drops every connection. */
  close(): Promise<void> {
    return close(this.#server, [...this.#pairs].flat());
  }

  #pipe(client: Socket, upstream: Socket): void {
    const pair = [client, upstream] as const;
    this.#pairs.add(pair);
    const end = (): void => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of pair) socket.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

/** A TCP server that accepts connections and never speaks TLS. */
export interface SilentServer {
  readonly port: number;
  /** The accepted connections still open (it reads and drops what comes, so a client's FIN is seen). */
  readonly sockets: ReadonlySet<Socket>;
  stop(): Promise<void>;
}

/**
 * Starts a {@link SilentServer} on loopback: a client's TLS handshake with it
 * never completes (a connect that hangs until its timeout or its caller gives up).
 */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.resume();
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return { port, sockets, stop: () => close(server, sockets) };
}

/** A loopback port nothing listens on (bound, then released): connecting to it is refused. */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await close(server, []);
  return port;
}
