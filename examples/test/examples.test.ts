// Runs every example's main() so CI keeps them working.
import { describe, expect, test } from '@jest/globals';
import * as campaignFromFile from '../src/campaign-from-file.js';
import * as clientSend from '../src/client-send.js';
import * as connectionBurst from '../src/connection-burst.js';
import * as connectionCustomAuth from '../src/connection-custom-auth.js';
import * as encodeNotification from '../src/encode-notification.js';
import * as feedback from '../src/feedback.js';
import * as liveActivity from '../src/live-activity.js';
import * as metricsPrometheus from '../src/metrics-prometheus.js';
import * as outcomes from '../src/outcomes.js';
import * as poolBulk from '../src/pool-bulk.js';
import * as queueCampaign from '../src/queue-campaign.js';
import * as session from '../src/session.js';
import * as tracing from '../src/tracing.js';

const examples: Array<[string, { main(log: (line: string) => void): Promise<void> }, RegExp]> = [
  ['encode-notification', encodeNotification, /payload: \d+ bytes/],
  ['connection-custom-auth', connectionCustomAuth, /second: 200/],
  ['connection-burst', connectionBurst, /2000 sends in \d+ ms on one connection: \{"200":2000\}\nheld back \d+ times .* the server accepted 2000/],
  ['pool-bulk', poolBulk, /2000 sends in \d+ ms: \{"200":2000\}/],
  ['client-send', clientSend, /rejected: 410 Unregistered/],
  [
    'metrics-prometheus',
    metricsPrometheus,
    /sent 97, failed 3, errors 0\npushwire_notifications_sent_total\{.*\} 97\npushwire_notifications_rejected_total\{.*pushwire_reason="Unregistered".*\} 3\npushwire_retries_total\{.*pushwire_reason="InternalServerError".*\} 1/,
  ],
  [
    'outcomes',
    outcomes,
    /sent 1\nrejected 02: 429 TooManyRequests, resend later\nunknown ×1 \(Timeout\): may have been delivered: resend only with a collapse id\nretry\(\) offers 1, retry\(\{ includeUnknown: true \}\) 2\nunreachable origin: ended in under 5 s, not at the 20 s timeout\nsent 0\nnot-sent ×2 \(ConnectError\): never sent: safe to resend\nretry\(\) offers 2, .*\nsent 0\nnot-sent ×1 \(ConnectError\): never sent: fix the cause first\nretry\(\) offers 0, retry\(\{ includeUnknown: true \}\) 0\nclient failed: true, because ConnectError/,
  ],
  ['session', session, /outdate\(40 ms\) closed 1 idle client/],
  [
    'tracing',
    tracing,
    /sent 8, failed 2\n10 spans\n2 × apns send: rejected 410 Unregistered, attempts 1\n7 × apns send: sent 200, attempts 1\n1 × apns send: sent 200, attempts 2, pushwire\.retry\(attempt 2, InternalServerError\)/,
  ],
  ['feedback', feedback, /store now holds 9 tokens/],
  [
    'campaign-from-file',
    campaignFromFile,
    /token file: 2000 tokens, gzip\nsent 1996, failed 4, errors 0, total 2000\nkept by the batch: 0 sent, 0 failed entries\nunregistered \(from onResult\): 3\nretry\(\): InvalidArgumentError: the batch kept no tokens/,
  ],
  [
    'queue-campaign',
    queueCampaign,
    /campaign enqueued: 3000 tokens in 6 jobs\nsent 2998, rejected 2 \(\{"Unregistered":2\}\), not sent 0, unknown 0\njobs per worker: [1-5] \+ [1-5] = 6\nprogress reports: yes\nunregistered stream: 065 at 2026-01-01T00:00:00.000Z, 9c5 at 2026-01-01T00:00:00.000Z|unregistered stream: 9c5 at 2026-01-01T00:00:00.000Z, 065 at 2026-01-01T00:00:00.000Z\ntoken …008: sent, possible duplicate: false\nthe mock accepted 2998/,
  ],
  ['live-activity', liveActivity, /broadcast end\nchannel deleted; 0 channels left\nlate broadcast rejected: 400 ChannelNotRegistered \(token-invalid\)\nserver recorded 3 broadcasts/],
];

describe('examples', () => {
  test.each(examples)('%s runs and reports what happened', async (_name, example, expected) => {
    const lines: string[] = [];
    await example.main((line) => lines.push(line));
    expect(lines.join('\n')).toMatch(expected);
  });
});
