/**
 * Differential test of the two HTTP/2 engines under the whole stack
 * (`Client.sendMany` → `Pool` → `Connection` → engine), against the mock.
 *
 * Every setup runs the SAME workload twice, once per engine, each against a
 * fresh token-auth mock with the SAME fault schedule: 1,000 tokens derived
 * from a fixed seed (sha256 of `pushwire-differential-<i>`), one fixed
 * `idempotencyKey` (so each token's `apns-id` is the same in both runs), and
 * faults keyed by token index (`i % 20` buckets: a status, an RST_STREAM code,
 * how many times) or by request count (GOAWAY after N requests, a delay on
 * the first N). Client: 2 connections, at-most-once delivery, 10 s timeout,
 * 5-40 ms back-off.
 *
 * What is compared, and why:
 * 1. Per token, where the schedule alone decides the outcome (a token whose
 *    fault is "410 always", "500 once, then fine", "REFUSED_STREAM 3 times",
 *    "RST_STREAM(INTERNAL_ERROR) once", or no fault at all), the outcome
 *    class (sent / rejected / not-sent / unknown), the status of a
 *    rejection, and, where the number of attempts is fixed by the schedule
 *    (not by a deadline or a GOAWAY race), how many requests the mock got for
 *    that token. Each engine must match the schedule's prediction (not just
 *    the other engine), so a bug shared by both still fails. The sent
 *    `apns-id`s must be identical too (same key), and equal to what the mock
 *    recorded for that token.
 * 2. Where the fault is inherently timing-dependent (which streams a GOAWAY
 *    cuts off depends on what is in flight when it lands; an error GOAWAY
 *    leaves in-flight streams 'unknown' on one engine and maybe answered on
 *    the other), only invariants are compared, on each run: every token
 *    reported exactly once (onResult and the batch agree); a token reported
 *    sent was accepted by the mock (exactly once: at-most-once) with that
 *    apns-id; a token the mock accepted is never reported not-sent or
 *    rejected; sent + (unknown but accepted) = tokens the mock accepted; and,
 *    after the faults are cleared, `sendMany(batch.retry({ includeUnknown:
 *    true }))` resends exactly the retryable and unknown tokens and finishes
 *    them all (every token then sent, or rejected for good).
 * 3. `batch.counts` are equal between the engines for every setup whose
 *    schedule decides every token.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { MockApnsServer, type Fault, type RecordedRequest } from '@pushwire/mock-server';
import { APNSError, InvalidArgumentError, type BatchResult, type EngineName, type TokenOutcome } from '../src/index.js';
import { TOPIC, serverFor, tokenAuth } from './helpers.js';

const N = 1_000;
// Generous: a loaded CI machine must not turn scheduled outcomes into deadline misses.
const TIMEOUT = 10_000;
const KEY = '0b1e6f64-5d0a-4c4e-9a57-2f1c3e8d9a01';
const TOKENS: readonly string[] = Array.from({ length: N }, (_, i) => createHash('sha256').update(`pushwire-differential-${i}`).digest('hex'));

type Class = 'sent' | 'rejected' | 'not-sent' | 'unknown';

/** What the schedule alone says about one token. */
interface Plan {
  /** The class; a list when timing picks one of these (checked per run, not compared between engines). */
  readonly outcome: Class | readonly Class[];
  readonly status?: number;
  /** Requests the mock gets for the token, when the schedule fixes it. */
  readonly attempts?: number;
}

interface Setup {
  readonly name: string;
  /** The fault schedule, injected into a fresh mock before the run. */
  faults(tokens: readonly string[]): Fault[];
  /** The outcome the schedule decides for token `i`; undefined: timing decides. */
  plan(i: number): Plan | undefined;
  /** The client must absorb the faults completely: every token sent. */
  readonly clean?: boolean;
}

const SENT_ONCE: Plan = { outcome: 'sent', attempts: 1 };
const byToken = (pick: (i: number) => Omit<Fault, 'token'> | undefined) => (tokens: readonly string[]): Fault[] =>
  tokens.flatMap((token, i) => {
    const fault = pick(i);
    return fault === undefined ? [] : [{ ...fault, token } as Fault];
  });

const SETUPS: readonly Setup[] = [
  {
    name: 'no faults',
    faults: () => [],
    plan: () => SENT_ONCE,
  },
  {
    name: 'status storm: 500/503 once, 429 twice, 410 and 400 always, 500 always (1%)',
    faults: byToken((i) => {
      if (i % 100 === 5) return { kind: 'status', status: 500, reason: 'InternalServerError' };
      switch (i % 20) {
        case 1: return { kind: 'status', status: 500, reason: 'InternalServerError', times: 1 };
        case 2: return { kind: 'status', status: 429, reason: 'TooManyRequests', times: 2 };
        case 3: return { kind: 'status', status: 410, reason: 'Unregistered' };
        case 4: return { kind: 'status', status: 400, reason: 'BadDeviceToken' };
        case 6: return { kind: 'status', status: 503, reason: 'ServiceUnavailable', times: 1 };
        default: return undefined;
      }
    }),
    plan: (i) => {
      // Retried with back-off until the deadline: the number of attempts is the clock's.
      if (i % 100 === 5) return { outcome: 'rejected', status: 500 };
      switch (i % 20) {
        case 1: return { outcome: 'sent', attempts: 2 };
        case 2: return { outcome: 'sent', attempts: 3 };
        case 3: return { outcome: 'rejected', status: 410, attempts: 1 };
        case 4: return { outcome: 'rejected', status: 400, attempts: 1 };
        case 6: return { outcome: 'sent', attempts: 2 };
        default: return SENT_ONCE;
      }
    },
  },
  {
    name: 'RST_STREAM: REFUSED_STREAM once / 3 times / always (1%), INTERNAL_ERROR and CANCEL once',
    faults: byToken((i) => {
      if (i % 100 === 3) return { kind: 'rst', code: 'REFUSED_STREAM' };
      switch (i % 20) {
        case 1: return { kind: 'rst', code: 'REFUSED_STREAM', times: 1 };
        case 2: return { kind: 'rst', code: 'REFUSED_STREAM', times: 3 };
        case 4: return { kind: 'rst', code: 'INTERNAL_ERROR', times: 1 };
        case 5: return { kind: 'rst', code: 'CANCEL', times: 1 };
        default: return undefined;
      }
    }),
    plan: (i) => {
      if (i % 100 === 3) return { outcome: 'not-sent' };
      switch (i % 20) {
        case 1: return { outcome: 'sent', attempts: 2 };
        case 2: return { outcome: 'sent', attempts: 4 };
        // Written and reset with another code: APNs may have it; at-most-once does not resend.
        case 4: return { outcome: 'unknown', attempts: 1 };
        case 5: return { outcome: 'unknown', attempts: 1 };
        default: return SENT_ONCE;
      }
    },
  },
  {
    name: 'GOAWAY(NO_ERROR) after 400 requests, last-stream-id in the middle of what is in flight',
    faults: () => [
      { kind: 'delay', ms: 100, times: 600 },
      { kind: 'goaway', afterRequests: 400, lastStreamId: 'middle', reason: 'Shutdown' },
    ],
    // Which tokens the GOAWAY refuses is timing; the pool resends those, so every token ends sent.
    plan: () => undefined,
    clean: true,
  },
  {
    name: 'GOAWAY(INTERNAL_ERROR) after 400 requests: in-flight streams below last-stream-id may be cut',
    faults: () => [
      { kind: 'delay', ms: 100, times: 600 },
      { kind: 'goaway', afterRequests: 400, lastStreamId: 'middle', reason: 'InternalServerError', code: 'INTERNAL_ERROR' },
    ],
    plan: () => undefined,
  },
  {
    name: 'mix: 410 always, 500 once, REFUSED_STREAM once, INTERNAL_ERROR once, SETTINGS down to 20 streams, delays and a GOAWAY',
    faults: (tokens) => [
      { kind: 'delay', ms: 50, times: 500 },
      { kind: 'settings', afterRequests: 100, maxConcurrentStreams: 20 },
      { kind: 'goaway', afterRequests: 450, lastStreamId: 'middle', reason: 'Shutdown' },
      ...byToken((i) => {
        switch (i % 20) {
          case 3: return { kind: 'status', status: 410, reason: 'Unregistered' };
          case 7: return { kind: 'status', status: 500, reason: 'InternalServerError', times: 1 };
          case 11: return { kind: 'rst', code: 'REFUSED_STREAM', times: 1 };
          case 13: return { kind: 'rst', code: 'INTERNAL_ERROR', times: 1 };
          default: return undefined;
        }
      })(tokens),
    ],
    // The classes are the schedule's (a stream the GOAWAY refuses is resent),
    // the number of attempts is not (a delayed answer can be refused and
    // resent). One class is timing too: the mock resets the INTERNAL_ERROR
    // token's stream on arrival, but node:http2's server may put that
    // RST_STREAM on the wire after a GOAWAY it submitted later (it defers an
    // RST_STREAM while a write is in progress), and when that GOAWAY's
    // last-stream-id is below the stream, the server has declared it
    // unprocessed: 'not-sent', resent, and then sent (the fault is spent).
    plan: (i) => {
      switch (i % 20) {
        case 3: return { outcome: 'rejected', status: 410 };
        case 13: return { outcome: ['unknown', 'sent'] };
        default: return { outcome: 'sent' };
      }
    },
  },
];

/** One token as a run saw it. */
interface Seen {
  readonly outcome: Class;
  readonly status?: number;
  readonly retryable: boolean;
  readonly apnsId?: string;
}

interface Run {
  readonly seen: ReadonlyMap<string, Seen>;
  readonly counts: BatchResult['counts'];
  /** Requests the mock got per token (first batch only). */
  readonly attempts: ReadonlyMap<string, number>;
  /** The tokens `retry({ includeUnknown: true })` resent. */
  readonly retried: readonly string[];
  readonly mockStats: ReturnType<MockApnsServer['stats']>;
}

function classify(o: TokenOutcome): Seen {
  if (o.kind === 'sent') return { outcome: 'sent', retryable: false, apnsId: o.apnsId };
  if (o.kind === 'failed') return { outcome: 'rejected', status: o.status, retryable: o.retryable };
  const e = o.error;
  const outcome = e instanceof APNSError && e.outcome === 'not-sent' ? 'not-sent' : 'unknown';
  return { outcome, retryable: e instanceof APNSError && e.retryable };
}

const mocks = new Set<MockApnsServer>();
/** Per-run class counts, printed once at the end (what timing chose where the schedule does not decide). */
const notes: string[] = [];
afterAll(async () => {
  if (notes.length > 0) console.log(notes.join('\n'));
  await Promise.all([...mocks].map((m) => m.stop()));
});

/** Runs the workload with `engine` against a fresh mock, checks the invariants, retries the rest. */
async function run(setup: Setup, engine: EngineName): Promise<Run> {
  const mock = await MockApnsServer.start({ auth: 'token', environment: 'production' });
  mocks.add(mock);
  try {
    for (const fault of setup.faults(TOKENS)) mock.inject(fault);
    const client = await serverFor(mock, tokenAuth(mock)).createClient({
      engine,
      connections: 2,
      timeout: TIMEOUT,
      backoff: { minDelay: 5, maxDelay: 40 },
      feedbackBuffer: 0,
    });
    try {
      const seen = new Map<string, Seen>();
      const twice: string[] = [];
      const batch = await client.sendMany(TOKENS, { alert: 'differential' }, { topic: TOPIC }, {
        idempotencyKey: KEY,
        onResult: (o) => {
          if (seen.has(o.token)) twice.push(o.token);
          seen.set(o.token, classify(o));
        },
      });
      // Every token reported exactly once, and the batch agrees with onResult.
      expect(twice).toEqual([]);
      expect(seen.size).toBe(N);
      expect(batch.counts.total).toBe(N);
      const count = (c: Class): number => [...seen.values()].filter((s) => s.outcome === c).length;
      expect(batch.counts).toEqual({ sent: count('sent'), failed: count('rejected'), errors: count('not-sent') + count('unknown'), total: N });
      expect(new Set(batch.sent.tokens)).toEqual(new Set(TOKENS.filter((t) => seen.get(t)!.outcome === 'sent')));
      for (const [token, failure] of batch.failed) expect([seen.get(token)?.outcome, seen.get(token)?.status]).toEqual(['rejected', failure.status]);
      for (const group of batch.errors) for (const token of group.tokens) expect(seen.get(token)?.outcome).toBe(group.outcome);

      // Against the mock's record: no phantom success, no lost acceptance, no mis-attribution.
      const records = mock.requests;
      const accepted = new Map<string, RecordedRequest[]>();
      const attempts = new Map<string, number>();
      for (const r of records) {
        if (r.token === undefined) continue;
        attempts.set(r.token, (attempts.get(r.token) ?? 0) + 1);
        if (r.status === 200) accepted.set(r.token, [...(accepted.get(r.token) ?? []), r]);
      }
      const problems: string[] = [];
      let unknownAccepted = 0;
      TOKENS.forEach((token, i) => {
        const s = seen.get(token)!;
        const got = accepted.get(token) ?? [];
        if (s.outcome === 'sent' && got.length !== 1) problems.push(`#${i} reported sent, accepted ${got.length}x`);
        if (s.outcome === 'sent' && (s.apnsId === undefined || got[0]?.apnsId !== s.apnsId)) problems.push(`#${i} sent with apns-id ${s.apnsId}, the mock answered ${got[0]?.apnsId}`);
        if ((s.outcome === 'not-sent' || s.outcome === 'rejected') && got.length > 0) problems.push(`#${i} reported ${s.outcome}, but the mock accepted it`);
        if (got.length > 1) problems.push(`#${i} accepted ${got.length}x with at-most-once delivery`);
        if (s.outcome === 'unknown' && got.length > 0) unknownAccepted++;
        // The schedule's prediction, where it makes one.
        const plan = setup.plan(i);
        if (plan !== undefined) {
          const allowed: readonly Class[] = typeof plan.outcome === 'string' ? [plan.outcome] : plan.outcome;
          if (!allowed.includes(s.outcome) || (plan.status !== undefined && s.status !== plan.status)) {
            problems.push(`#${i} expected ${allowed.join(' or ')} ${plan.status ?? ''}, got ${s.outcome} ${s.status ?? ''}`);
          }
          if (plan.attempts !== undefined && attempts.get(token) !== plan.attempts) problems.push(`#${i} expected ${plan.attempts} attempts, the mock saw ${attempts.get(token)}`);
        }
      });
      expect(problems.slice(0, 12)).toEqual([]);
      expect(count('sent') + unknownAccepted).toBe(accepted.size);
      if (setup.clean === true) expect(batch.counts).toEqual({ sent: N, failed: 0, errors: 0, total: N });
      notes.push(`${setup.name.split(':')[0]} [${engine}]: sent ${count('sent')}, rejected ${count('rejected')}, not-sent ${count('not-sent')}, unknown ${count('unknown')} (${unknownAccepted} of them accepted); ${records.length} requests`);
      expect(mock.acceptedCount()).toBe([...accepted.values()].reduce((n, list) => n + list.length, 0));

      // retry(): exactly the retryable rejections, the retryable errors and (asked for) the unknown ones;
      // with the faults gone, it finishes every one of them.
      const message = batch.retry({ includeUnknown: true });
      const expected = TOKENS.filter((t) => {
        const s = seen.get(t)!;
        return (s.outcome === 'rejected' && s.retryable) || s.outcome === 'unknown' || (s.outcome === 'not-sent' && s.retryable);
      });
      expect(new Set(message.tokens)).toEqual(new Set(expected));
      expect(message.tokens.length).toBe(expected.length);
      const mockStats = mock.stats();
      mock.clearFaults();
      const again = await client.sendMany(message);
      expect(again.counts).toEqual({ sent: expected.length, failed: 0, errors: 0, total: expected.length });
      // Same key: every request for a token, resends included, carried the one apns-id reported for it.
      const reported = new Map<string, string | undefined>([...[...seen].map(([t, s]) => [t, s.apnsId] as const), ...[...again.sent].map((e) => [e.token, e.apnsId] as const)]);
      const ids = new Map<string, Set<string>>();
      for (const r of mock.requests) if (r.token !== undefined) ids.set(r.token, (ids.get(r.token) ?? new Set()).add(r.headers['apns-id'] ?? '-'));
      const mixed = TOKENS.filter((t) => ids.get(t)!.size !== 1 || (reported.get(t) !== undefined && !ids.get(t)!.has(reported.get(t)!)));
      expect(mixed).toEqual([]);
      // Every token is now sent, or was rejected for good (410, 400).
      const done = new Set([...batch.sent.tokens, ...again.sent.tokens]);
      const final = TOKENS.filter((t) => !done.has(t) && !(seen.get(t)!.outcome === 'rejected' && !seen.get(t)!.retryable));
      expect(final).toEqual([]);
      return { seen, counts: batch.counts, attempts, retried: message.tokens, mockStats };
    } finally {
      await client.close();
    }
  } finally {
    mocks.delete(mock);
    await mock.stop();
  }
}

const ENGINES: readonly EngineName[] = ['node', 'wire'];

describe.each(SETUPS.map((setup) => [setup.name, setup] as const))('%s', (_name, setup) => {
  const runs = new Map<EngineName, Run>();

  test.each(ENGINES)('engine %s: outcomes as scheduled, invariants hold, retry() finishes the rest', async (engine) => {
    runs.set(engine, await run(setup, engine));
  }, 30_000);

  test('node and wire agree', () => {
    const node = runs.get('node');
    const wire = runs.get('wire');
    if (node === undefined || wire === undefined) throw new Error(`a run is missing (node: ${node !== undefined}, wire: ${wire !== undefined})`);
    const differ: string[] = [];
    TOKENS.forEach((token, i) => {
      const plan = setup.plan(i);
      const decidedByPlan = plan !== undefined && typeof plan.outcome === 'string';
      const a = node.seen.get(token)!;
      const b = wire.seen.get(token)!;
      // Same key, same token: the same apns-id whenever both sent it.
      if (a.outcome === 'sent' && b.outcome === 'sent' && a.apnsId !== b.apnsId) differ.push(`#${i} apns-id ${a.apnsId} vs ${b.apnsId}`);
      if (!decidedByPlan) return;
      if (a.outcome !== b.outcome || a.status !== b.status || a.retryable !== b.retryable) {
        differ.push(`#${i} node ${a.outcome} ${a.status ?? ''} vs wire ${b.outcome} ${b.status ?? ''}`);
      }
      if (plan!.attempts !== undefined && node.attempts.get(token) !== wire.attempts.get(token)) {
        differ.push(`#${i} attempts node ${node.attempts.get(token)} vs wire ${wire.attempts.get(token)}`);
      }
    });
    expect(differ.slice(0, 12)).toEqual([]);
    const decided = TOKENS.every((_, i) => typeof setup.plan(i)?.outcome === 'string');
    if (decided) {
      expect(wire.counts).toEqual(node.counts);
      expect([...wire.retried].sort()).toEqual([...node.retried].sort());
    } else {
      // Timing decides who got which outcome; both runs still had every token
      // and (checked in each run) no token misreported against the mock.
      expect([wire.counts.total, node.counts.total]).toEqual([N, N]);
      // The GOAWAY really landed on both runs and cut streams off.
      for (const r of [node, wire]) expect(r.mockStats.perConnection.some((c) => c.goaway !== undefined && c.refused > 0)).toBe(true);
    }
  });
});

describe('engine option at the api tier', () => {
  test("createClient({ engine: 'bogus' }) is an InvalidArgumentError naming `engine`", async () => {
    const mock = await MockApnsServer.start({ auth: 'token' });
    mocks.add(mock);
    const error = await serverFor(mock).createClient({ engine: 'bogus' as EngineName }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).field).toBe('engine');
    await mock.stop();
    mocks.delete(mock);
  });
});
