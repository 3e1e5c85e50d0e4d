// The pool's retry decision is one rule over the failure's own flags
// (retryable, outcome) and the delivery mode; an APNs answer's flags come
// from the models reasons table. These pin the rule and its sources.
import { describe, expect, test } from '@jest/globals';
import { AuthHookError, Closed, ConnectError, ProtocolError, Timeout, type Response } from '@pushwire/connection';
import { InvalidArgumentError, REASONS, REASON_NAMES, type FailureOutcome } from '@pushwire/models';
import { judgeError, judgeResponse, mayResend, Verdict } from '../src/retry-policy.js';

const answer = (status: number, reason?: string, authAction?: Response['authAction']): Response => ({
  status,
  reason,
  apnsId: undefined,
  apnsUniqueId: undefined,
  timestamp: undefined,
  retryAfter: undefined,
  headers: {},
  body: undefined,
  ...(authAction === undefined ? {} : { authAction }),
});

const RETRIES: readonly Verdict[] = [Verdict.Retry, Verdict.RetryNow, Verdict.RetryElsewhere];

describe('the rule', () => {
  const outcomes: FailureOutcome[] = ['rejected', 'not-sent', 'unknown'];
  test.each(outcomes.flatMap((outcome) => [true, false].flatMap((retryable) => [true, false].map((atLeastOnce) => [outcome, retryable, atLeastOnce] as const))))(
    'outcome %s, retryable %s, at-least-once %s',
    (outcome, retryable, atLeastOnce) => {
      expect(mayResend({ outcome, retryable }, atLeastOnce)).toBe(retryable || (atLeastOnce && outcome === 'unknown'));
    },
  );
});

describe('errors: judged by their own flags', () => {
  test.each([
    ['Closed not-sent (GOAWAY, REFUSED_STREAM)', new Closed('x', { outcome: 'not-sent' }), Verdict.RetryNow, Verdict.RetryNow],
    ['Closed unknown (cut mid-flight)', new Closed('x', { outcome: 'unknown' }), Verdict.Final, Verdict.Retry],
    ['Timeout unknown (stream reset after its attempt timeout)', new Timeout(10, undefined, { outcome: 'unknown' }), Verdict.Final, Verdict.Retry],
    // Retryable by its own flag: nothing was written (auth headers pending). Before the rule it was
    // retried only with at-least-once, contradicting its `retryable: true`.
    ['Timeout not-sent (auth headers pending)', new Timeout(10, undefined, { outcome: 'not-sent' }), Verdict.Retry, Verdict.Retry],
    ['ConnectError, network', new ConnectError('refused'), Verdict.Retry, Verdict.Retry],
    ['ConnectError, configuration', new ConnectError('untrusted', { retryable: false }), Verdict.Fatal, Verdict.Fatal],
    ['Closed by a fatal GOAWAY reason', new Closed('x', { outcome: 'not-sent', goawayReason: 'BadCertificateEnvironment' }), Verdict.Fatal, Verdict.Fatal],
    ['ProtocolError (unknown)', new ProtocolError('bad frame', 1), Verdict.Final, Verdict.Retry],
    ['InvalidArgumentError', new InvalidArgumentError('payload', 'bad'), Verdict.Final, Verdict.Final],
    ['AuthHookError', new AuthHookError(), Verdict.Final, Verdict.Final],
    ['a plain Error (a bug)', new Error('x'), Verdict.Final, Verdict.Final],
  ] as const)('%s', (_name, error, atMostOnce, atLeastOnce) => {
    expect(judgeError(error, false)).toBe(atMostOnce);
    expect(judgeError(error, true)).toBe(atLeastOnce);
  });

  test('a Closed from a fatal GOAWAY says so in its own flags: not retryable', () => {
    expect(new Closed('x', { outcome: 'not-sent', goawayReason: 'BadCertificate' }).retryable).toBe(false);
    expect(new Closed('x', { outcome: 'not-sent', goawayReason: 'Shutdown' }).retryable).toBe(true);
  });
});

describe('answers: judged by the models reasons table', () => {
  test.each([
    [200, undefined, Verdict.Final],
    [201, undefined, Verdict.Final],
    [429, 'TooManyRequests', Verdict.Retry],
    [429, 'TooManyProviderTokenUpdates', Verdict.Retry],
    [500, 'InternalServerError', Verdict.Retry],
    [502, undefined, Verdict.Retry],
    [503, 'ServiceUnavailable', Verdict.Retry],
    [503, 'Shutdown', Verdict.RetryElsewhere],
    [400, 'IdleTimeout', Verdict.RetryElsewhere],
    [403, 'BadCertificate', Verdict.Fatal],
    [403, 'BadEnvironmentKeyIdInToken', Verdict.Fatal],
    [403, 'ExpiredProviderToken', Verdict.Final],
    [403, 'InvalidProviderToken', Verdict.Final],
    [410, 'Unregistered', Verdict.Final],
    [400, 'BadDeviceToken', Verdict.Final],
    [418, 'SomethingNew', Verdict.Final],
  ] as const)('%i %s', (status, reason, verdict) => {
    expect(judgeResponse(answer(status, reason))).toBe(verdict);
  });

  test('the auth hook renewing the credentials makes an auth rejection retryable at once', () => {
    expect(judgeResponse(answer(403, 'ExpiredProviderToken', 'retry'))).toBe(Verdict.RetryNow);
    expect(judgeResponse(answer(403, 'InvalidProviderToken', 'reconnect'))).toBe(Verdict.RetryNow);
    expect(judgeResponse(answer(403, 'ExpiredProviderToken', 'none'))).toBe(Verdict.Final);
    // Fatal whatever the hook says.
    expect(judgeResponse(answer(403, 'BadCertificate', 'retry'))).toBe(Verdict.Fatal);
  });

  test.each(REASON_NAMES)('%s: the verdict follows the table', (name) => {
    const info = REASONS[name];
    const verdict = judgeResponse(answer(info.status, name));
    expect(verdict === Verdict.Fatal).toBe(info.fatal);
    // Retried without the hook: exactly the reasons a resend can fix on its own.
    expect(RETRIES.includes(verdict)).toBe(info.resend === 'later' || info.resend === 'reconnect');
    expect(verdict === Verdict.RetryElsewhere).toBe(info.resend === 'reconnect');
  });
});
