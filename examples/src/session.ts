// One Session, two credentials (a token-auth team and a certificate-auth
// app) in one process; cached clients, outdate() and shutdown().
// Run (from the repo root): npx -y pnpm@10.34.8 -F @pushwire/examples session
import { pathToFileURL } from 'node:url';
import { Server, Session } from '@pushwire/api';
import { MockApnsServer } from '@pushwire/mock-server';

/** Runs the example; `log` receives what happened. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  const teamServer = await MockApnsServer.start({ auth: 'token' });
  const appServer = await MockApnsServer.start({ auth: 'certificate' });
  const session = new Session();
  try {
    const team = Server.custom(teamServer.origin, { token: teamServer.signingKey }, { ca: teamServer.ca });
    const cert = appServer.issueClientCertificate({ bundleId: 'com.example.other', format: 'pem' });

    const a = await session.getClient('team-a', team);
    const b = await session.getClient('app-b', { origin: appServer.origin, auth: cert, ca: appServer.ca });
    log(`cached: ${session.keys().join(', ')}; same client again: ${(await session.getClient('team-a', team)) === a}`);

    await a.sendNotification('c3'.repeat(32), { alert: 'from team A' }, { topic: 'com.example.app' });
    await b.sendNotification('d4'.repeat(32), { alert: 'from app B' }, { topic: 'com.example.other' });
    log(`team server accepted ${teamServer.accepted().length}, app server accepted ${appServer.accepted().length}`);

    await new Promise((resolve) => setTimeout(resolve, 50));
    await a.sendNotification('c3'.repeat(32), { alert: 'keeps team A warm' }, { topic: 'com.example.app' });
    const closed = await session.outdate(40);
    log(`outdate(40 ms) closed ${closed} idle client(s); left: ${session.keys().join(', ')}`);
  } finally {
    await session.shutdown();
    log('session shut down');
    await Promise.all([teamServer.stop(), appServer.stop()]);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
