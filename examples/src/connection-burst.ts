// A burst on one HTTP/2 Connection, with no pool: the connection has no
// queue, so the caller keeps one. postWith() reports each outcome to a shared
// sink (no promise per request); a request refused with Blocked (every stream
// busy, or no room for its body in the server's flow-control window) waits at
// the front of the caller's queue, and the connection's 'free' event or the
// next outcome says when to try again. The mock keeps HTTP/2's default
// 65,535-byte connection window: on the node:http2 engine bodies of 2 KB
// then hold each other back; the wire engine (the default) queues them
// oldest first and only a full set of streams makes the caller wait.
// Run (from the repo root): npx -y pnpm@10.34.8 -F @pushwire/examples connection-burst
import { pathToFileURL } from 'node:url';
import { Blocked, Connection, Request, TokenAuth, type Response, type ResponseSink } from '@pushwire/connection';
import { MockApnsServer } from '@pushwire/mock-server';

const COUNT = 2_000;

/** Runs the example; `log` receives what happened. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  const mock = await MockApnsServer.start({ auth: 'token', fast: true, connectionWindow: 65_535 });
  const conn = await Connection.connect(mock.origin, { tls: { ca: mock.ca }, auth: new TokenAuth(mock.signingKey) });
  try {
    // One validated template; each device's request only changes the path.
    const template = Request.create('/3/device/', { 'apns-push-type': 'alert', 'apns-topic': 'com.example.app' }, { aps: { alert: 'x'.repeat(2_000) } });
    const tokens = Array.from({ length: COUNT }, (_, i) => i.toString(16).padStart(64, '0'));
    const waiting: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    let settled = 0;
    let blocked = 0;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));

    const pump = (): void => {
      while (!conn.isBusy && (waiting.length > 0 || next < tokens.length)) {
        const token = waiting.length > 0 ? waiting.shift()! : tokens[next++]!;
        conn.postWith(template.withPath(`/3/device/${token}`), sink, token);
      }
    };
    const settle = (): void => {
      if (++settled === COUNT) done();
      else pump();
    };
    const sink: ResponseSink<string> = {
      onResponse: (_token, response: Response) => {
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        settle();
      },
      onError: (token, error) => {
        if (error instanceof Blocked) {
          // Nothing was written: it goes first when the connection frees up.
          blocked++;
          waiting.unshift(token);
          return;
        }
        log(`${token.slice(0, 8)}…: ${error.name}: ${error.message}`);
        settle();
      },
    };
    // A stream came back, window room returned, or the server's SETTINGS raised the stream limit.
    conn.on('free', pump);

    const started = performance.now();
    pump();
    await finished;
    log(`${COUNT} sends in ${Math.round(performance.now() - started)} ms on one connection: ${JSON.stringify(Object.fromEntries(statuses))}`);
    log(`held back ${blocked} times for a free stream or flow-control window; the server accepted ${mock.acceptedCount()}`);
  } finally {
    await conn.close();
    await mock.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
