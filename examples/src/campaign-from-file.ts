// A campaign from a token file in flat memory: tokensFromFile streams a gzip
// file (one token per line) into sendMany, and collect: 'none' keeps no
// per-token state in the batch: each outcome is handled as it arrives
// (here: unregistered tokens collected, the rest only counted), and the
// batch reports counts. The same code sends 10 million tokens.
// Run (from the repo root): npx -y pnpm@10.34.8 -F @pushwire/examples campaign-from-file
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { BatchInterrupted, Server, tokensFromFile, type TokenOutcome } from '@pushwire/api';
import { MockApnsServer } from '@pushwire/mock-server';

const TOPIC = 'com.example.app';
const COUNT = 2000;

/** Writes a small gzip token file like an export from a token store: a comment, one token per line. */
async function writeTokenFile(dir: string, tokens: readonly string[]): Promise<string> {
  const file = join(dir, 'tokens.txt.gz');
  await writeFile(file, gzipSync(`# exported token list\n${tokens.join('\n')}\n`));
  return file;
}

/** Runs the example; `log` receives what happened. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  const mock = await MockApnsServer.start({ auth: 'token' });
  const client = await Server.custom(mock.origin, { token: mock.signingKey }, { ca: mock.ca }).createClient();
  const dir = await mkdtemp(join(tmpdir(), 'pushwire-campaign-'));
  try {
    const tokens = Array.from({ length: COUNT }, (_, i) => (i + 1).toString(16).padStart(64, '0'));
    // Three devices uninstalled the app; one token in the export is corrupt.
    for (const i of [10, 500, 1500]) mock.unregisterDevice(tokens[i]!, { timestamp: Date.UTC(2026, 0, 1), reason: 'Unregistered' });
    tokens[700] = 'not-a-token';
    const file = await writeTokenFile(dir, tokens);
    log(`token file: ${COUNT} tokens, gzip`);

    // The per-token record lives here, not in the batch: a database update or
    // a results file in a real campaign.
    const unregistered: string[] = [];
    const onResult = (outcome: TokenOutcome): void => {
      if (outcome.kind === 'failed' && outcome.status === 410) unregistered.push(outcome.token);
    };
    const batch = await client.sendMany(tokensFromFile(file), { alert: 'Spring sale' }, { topic: TOPIC }, { collect: 'none', onResult });

    const { sent, failed, errors, total } = batch.counts;
    log(`sent ${sent}, failed ${failed}, errors ${errors}, total ${total}`);
    log(`kept by the batch: ${batch.sent.length} sent, ${batch.failed.size} failed entries`);
    log(`unregistered (from onResult): ${unregistered.length}`);
    try {
      batch.retry();
    } catch (error) {
      log(`retry(): ${(error as Error).name}: the batch kept no tokens`);
    }
  } catch (error) {
    // The file could not be read: nothing more was pulled from it.
    if (error instanceof BatchInterrupted && error.origin === 'source') log(`token file: ${(error.cause as Error).message}`);
    else throw error;
  } finally {
    await client.close();
    await mock.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
