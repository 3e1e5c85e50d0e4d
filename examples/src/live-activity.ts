// A Live Activity's life with broadcast channels (iOS 18), against the bundled
// mock APNs server: create a channel, start the activity with a device
// push-to-start that subscribes it to the channel, broadcast updates and the
// end, then delete the channel.
// Run (from the repo root): npx -y pnpm@10.34.8 -F @pushwire/examples live-activity
import { pathToFileURL } from 'node:url';
import { APNSRejection, MessageStoragePolicy, Server, liveActivityEnd, liveActivityStart, liveActivityUpdate } from '@pushwire/api';
import { MockApnsServer } from '@pushwire/mock-server';

const BUNDLE_ID = 'com.example.app';
/** The push-to-start token the app sent its server (ActivityKit's pushToStartToken). */
const PUSH_TO_START_TOKEN = 'c3'.repeat(32);

/** Runs the example; `log` receives what happened. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  const mock = await MockApnsServer.start({ auth: 'token' });
  const { keyId, teamId, key } = mock.signingKey;
  // Server.production({ token: { keyId, teamId, key } }) in real life: channel calls then go to
  // api-manage-broadcast.push.apple.com:2196, broadcasts to api.push.apple.com. The mock serves both.
  const client = await Server.custom(mock.origin, { token: { keyId, teamId, key } }, { ca: mock.ca }).createClient();
  try {
    // 1. One channel per event; updates are frequent, so nothing is stored for offline devices.
    const { channelId } = await client.channels.create({ bundleId: BUNDLE_ID, storagePolicy: MessageStoragePolicy.NoMessageStored });
    log(`channel created: ${channelId}`);

    // 2. Start: a device push (broadcasts cannot start an activity) that subscribes it to the channel.
    const start = liveActivityStart({
      attributesType: 'MatchAttributes',
      attributes: { home: 'Lions', away: 'Bears' },
      contentState: { home: 0, away: 0, minute: 0 },
      alert: { title: 'Kick-off', body: 'Lions v Bears has started' },
      inputPushChannel: channelId,
    });
    await client.sendNotification(PUSH_TO_START_TOKEN, start, { topic: BUNDLE_ID, pushType: 'liveactivity' });
    log('started by push-to-start, subscribed to the channel');

    // 3. Updates reach every subscribed device with one request each.
    const score = await client.broadcast(channelId, liveActivityUpdate({ contentState: { home: 1, away: 0, minute: 23 }, alert: 'Goal! Lions 1-0' }), {
      bundleId: BUNDLE_ID,
    });
    log(`broadcast update: apns-request-id ${score.requestId}`);
    await client.broadcast(channelId, liveActivityUpdate({ contentState: { home: 1, away: 0, minute: 45 }, staleDate: new Date(Date.now() + 20 * 60_000) }), {
      bundleId: BUNDLE_ID,
      priority: 5, // no alert: let the device save power
    });

    // 4. The end; dismissal date 0 removes it from the Lock Screen at once.
    await client.broadcast(channelId, liveActivityEnd({ contentState: { home: 2, away: 1, minute: 90 }, dismissalDate: 0 }), { bundleId: BUNDLE_ID });
    log('broadcast end');

    // 5. Free the channel (apps may hold 10,000 per environment).
    await client.channels.delete({ bundleId: BUNDLE_ID, channelId });
    const { channels } = await client.channels.list({ bundleId: BUNDLE_ID });
    log(`channel deleted; ${channels.length} channels left`);
    try {
      await client.broadcast(channelId, liveActivityUpdate({ contentState: { home: 2, away: 1, minute: 91 } }), { bundleId: BUNDLE_ID });
    } catch (error) {
      if (!(error instanceof APNSRejection)) throw error;
      log(`late broadcast rejected: ${error.status} ${error.reason} (${error.category})`);
    }
    log(`server recorded ${mock.broadcasts(channelId).length} broadcasts to the channel`);
  } finally {
    await client.close();
    await mock.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
