import { describe, expect, it } from '@jest/globals';
import {
  AUTH_REASONS,
  CREDENTIAL_STREAK_REASONS,
  REASONS,
  REASON_NAMES,
  classifyReason,
  describeReason,
  isFatalReason,
  isReasonName,
  isRetryableReason,
  type ReasonCategory,
  type ReasonName,
} from '../src/index.js';

// [reason, status, category, retryable], straight from apns-protocol.md §4 and §7.
const EXPECTED: Array<[ReasonName, number, ReasonCategory, boolean]> = [
  ['BadCollapseId', 400, 'request-malformed', false],
  ['BadDeviceToken', 400, 'token-invalid', false],
  ['BadExpirationDate', 400, 'request-malformed', false],
  ['BadMessageId', 400, 'request-malformed', false],
  ['BadPriority', 400, 'request-malformed', false],
  ['BadTopic', 400, 'request-malformed', false],
  ['DeviceTokenNotForTopic', 400, 'token-invalid', false],
  ['DuplicateHeaders', 400, 'request-malformed', false],
  ['IdleTimeout', 400, 'server-transient', true],
  ['InvalidPushType', 400, 'request-malformed', false],
  ['MissingDeviceToken', 400, 'request-malformed', false],
  ['MissingTopic', 400, 'request-malformed', false],
  ['PayloadEmpty', 400, 'request-malformed', false],
  ['TopicDisallowed', 400, 'auth-config', false],
  ['BadCertificate', 403, 'auth-config', false],
  ['BadCertificateEnvironment', 403, 'auth-config', false],
  ['ExpiredProviderToken', 403, 'auth-config', true],
  ['Forbidden', 403, 'auth-config', false],
  ['InvalidProviderToken', 403, 'auth-config', false],
  ['MissingProviderToken', 403, 'auth-config', false],
  ['UnrelatedKeyIdInToken', 403, 'auth-config', false],
  ['BadEnvironmentKeyIdInToken', 403, 'auth-config', false],
  ['BadEnvironmentKeyInToken', 403, 'auth-config', false],
  ['BadPath', 404, 'request-malformed', false],
  ['MethodNotAllowed', 405, 'request-malformed', false],
  ['ExpiredToken', 410, 'token-invalid', false],
  ['Unregistered', 410, 'token-invalid', false],
  ['PayloadTooLarge', 413, 'request-malformed', false],
  ['TooManyProviderTokenUpdates', 429, 'throttled', true],
  ['TooManyRequests', 429, 'throttled', true],
  ['InternalServerError', 500, 'server-transient', true],
  ['ServiceUnavailable', 503, 'server-transient', true],
  ['Shutdown', 503, 'server-transient', true],
  ['FeatureNotEnabled', 400, 'auth-config', false],
  ['MissingChannelId', 400, 'request-malformed', false],
  ['BadChannelId', 400, 'request-malformed', false],
  ['ChannelNotRegistered', 400, 'token-invalid', false],
  ['BadRequestParams', 400, 'request-malformed', false],
  ['BadRequestPayload', 400, 'request-malformed', false],
  ['MissingPushType', 400, 'request-malformed', false],
  ['CannotCreateChannelConfig', 400, 'auth-config', false],
  ['MissingChannelQueueSize', 400, 'request-malformed', false],
  ['TopicMismatch', 403, 'auth-config', false],
];

describe('reasons catalogue', () => {
  it('holds exactly the reasons of the protocol notes', () => {
    expect([...REASON_NAMES].sort()).toEqual(EXPECTED.map(([name]) => name).sort());
    expect(Object.isFrozen(REASONS)).toBe(true);
  });

  it.each(EXPECTED)('%s: %i %s retryable=%s', (name, status, category, retryable) => {
    const info = describeReason(name);
    expect(info).toMatchObject({ name, status, category, retryable });
    expect(info?.description.length).toBeGreaterThan(10);
    expect(info?.scopes.length).toBeGreaterThan(0);
    expect(REASONS[name]).toBe(info);
    expect(isRetryableReason(name)).toBe(retryable);
    expect(isReasonName(name)).toBe(true);
  });

  it('gives undefined for unknown strings, including prototype keys', () => {
    for (const unknown of ['', 'SomethingNew', 'badDeviceToken', 'constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(describeReason(unknown)).toBeUndefined();
      expect(isRetryableReason(unknown)).toBe(false);
      expect(isReasonName(unknown)).toBe(false);
    }
  });

  it('marks broadcast-only and shared reasons', () => {
    expect(REASONS.ChannelNotRegistered.scopes).toEqual(['broadcast']);
    expect(REASONS.BadDeviceToken.scopes).toEqual(['device']);
    expect(REASONS.TooManyRequests.scopes).toEqual(['device', 'broadcast']);
  });

  it('never retries what the protocol notes say never to retry', () => {
    for (const name of ['BadDeviceToken', 'DeviceTokenNotForTopic', 'Forbidden', 'ExpiredToken', 'Unregistered', 'PayloadTooLarge']) {
      expect(isRetryableReason(name)).toBe(false);
    }
  });
});

// The table is the one source of these sets (the connection's auth hook, the
// pool's fail-the-pool and streak decisions): they are pinned here by name.
describe('reasons table flags', () => {
  const names = (pick: (name: ReasonName) => boolean): ReasonName[] => REASON_NAMES.filter(pick).sort();

  it('marks the fatal reasons: wrong certificate, environment or key', () => {
    expect(names((n) => REASONS[n].fatal)).toEqual(['BadCertificate', 'BadCertificateEnvironment', 'BadEnvironmentKeyIdInToken', 'BadEnvironmentKeyInToken']);
    expect(isFatalReason('BadCertificate')).toBe(true);
    expect(isFatalReason('InvalidProviderToken')).toBe(false);
    expect(isFatalReason(undefined)).toBe(false);
  });

  it('derives the auth hook reasons and the credential streak from the table', () => {
    expect([...AUTH_REASONS].sort()).toEqual(
      [
        'BadCertificate',
        'BadCertificateEnvironment',
        'BadEnvironmentKeyIdInToken',
        'BadEnvironmentKeyInToken',
        'ExpiredProviderToken',
        'InvalidProviderToken',
        'MissingProviderToken',
        'TooManyProviderTokenUpdates',
        'UnrelatedKeyIdInToken',
      ].sort(),
    );
    expect([...CREDENTIAL_STREAK_REASONS].sort()).toEqual(['ExpiredProviderToken', 'InvalidProviderToken', 'MissingProviderToken']);
    expect(names((n) => REASONS[n].auth)).toEqual([...AUTH_REASONS].sort());
  });

  it('says how a resend can succeed, and retryable follows from it', () => {
    expect(names((n) => REASONS[n].resend === 'reconnect')).toEqual(['IdleTimeout', 'Shutdown']);
    expect(names((n) => REASONS[n].resend === 'new-token')).toEqual(['ExpiredProviderToken']);
    expect(names((n) => REASONS[n].resend === 'later')).toEqual(['InternalServerError', 'ServiceUnavailable', 'TooManyProviderTokenUpdates', 'TooManyRequests']);
    for (const name of REASON_NAMES) expect(REASONS[name].retryable).toBe(REASONS[name].resend !== 'never');
    // Only 429 and 5xx wait-and-retry reasons; a fatal reason is never retryable.
    for (const name of names((n) => REASONS[n].resend === 'later')) expect(REASONS[name].status === 429 || REASONS[name].status >= 500).toBe(true);
    for (const name of names((n) => REASONS[n].fatal)) expect(REASONS[name].retryable).toBe(false);
  });

  it('classifies a known reason from the table and an unknown one by status', () => {
    expect(classifyReason(410, 'Unregistered')).toBe(REASONS.Unregistered);
    expect(classifyReason(503, 'Shutdown')).toBe(REASONS.Shutdown);
    expect(classifyReason(429, 'SomethingNew')).toMatchObject({ category: 'throttled', retryable: true, resend: 'later', fatal: false, auth: false });
    expect(classifyReason(502, undefined)).toMatchObject({ category: 'server-transient', retryable: true, resend: 'later' });
    expect(classifyReason(410, 'Gone')).toMatchObject({ category: 'token-invalid', retryable: false, resend: 'never' });
    expect(classifyReason(403, 'Nope')).toMatchObject({ category: 'auth-config', retryable: false, fatal: false });
    expect(classifyReason(400, 'constructor')).toMatchObject({ category: 'request-malformed', retryable: false });
  });
});
