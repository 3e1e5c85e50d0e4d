// One HTTP/2 Connection with a custom AuthHook: the hook signs a provider
// token with @pushwire/connection's TokenAuth and logs each use, showing
// where an app would plug in its own token store or a shared signer.
// Run (from the repo root): npx -y pnpm@10.34.8 -F @pushwire/examples connection-custom-auth
import { pathToFileURL } from 'node:url';
import { Connection, Request, TokenAuth, type AuthAction, type AuthContext, type AuthHook } from '@pushwire/connection';
import { encodeNotification } from '@pushwire/models';
import { MockApnsServer } from '@pushwire/mock-server';

/** An AuthHook that delegates to TokenAuth and counts what it is asked. */
class LoggingAuth implements AuthHook {
  readonly #inner: TokenAuth;
  readonly #log: (line: string) => void;
  calls = 0;

  constructor(inner: TokenAuth, log: (line: string) => void) {
    this.#inner = inner;
    this.#log = log;
  }

  headers(context: AuthContext): Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>> {
    this.calls++;
    if (this.calls === 1) this.#log(`auth: first headers for connection #${context.connectionId} to ${context.origin}`);
    return this.#inner.headers(context);
  }

  onRejection(reason: string, context: AuthContext): AuthAction | Promise<AuthAction> {
    this.#log(`auth: rejected with ${reason}`);
    return this.#inner.onRejection?.(reason, context) ?? 'none';
  }
}

/** Runs the example; `log` receives what happened. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  const mock = await MockApnsServer.start({ auth: 'token' });
  const auth = new LoggingAuth(new TokenAuth(mock.signingKey), log);
  const connection = await Connection.connect(mock.origin, { tls: { ca: mock.ca }, auth });
  try {
    for (const alert of ['first', 'second']) {
      const { path, headers, body } = encodeNotification('e5'.repeat(32), { alert }, { topic: 'com.example.app' });
      const response = await connection.post(Request.create(path, headers, body, { attemptTimeout: 5000 }));
      log(`${alert}: ${response.status} apns-id ${response.apnsId}`);
    }
    log(`auth hook asked ${auth.calls} times; server accepted ${mock.accepted().length}`);
  } finally {
    await connection.close();
    await mock.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
