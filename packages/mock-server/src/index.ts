/**
 * @pushwire/mock-server: a real HTTP/2 TLS server that behaves like APNs,
 * with fault injection, for tests and benchmarks.
 */
export { runMockServer, USAGE, type RunningMock } from './cli.js';
export { MockApnsServer, type IssueCertificateOptions, type PemCredentials, type Pkcs12Credentials } from './server.js';
export { MissingDependencyError } from './pkcs12.js';
export { createSigningKey, type SigningKey, type TrustedKey } from './auth-token.js';
export { MockClock, type ClockFn } from './clock.js';
export { FreezableRelay, startSilentServer, unusedPort, type SilentServer } from './net-faults.js';
export { DEFAULT_MAX_CHANNELS, type MockChannel, type StoragePolicy } from './channels.js';
export { BROADCAST_PAYLOAD_LIMIT } from './broadcast.js';
export type { GoawayOptions } from './connection.js';
export { createCa, issueServerCertificate, type CertificateAuthority, type ClientCertificateSpec, type PemPair } from './certs.js';
export type { FaultHandle } from './fault-set.js';
export {
  parseFault,
  parseFaults,
  H2_ERROR_CODES,
  type Fault,
  type FaultScope,
  type RequestFault,
  type StatusFault,
  type RetryAfterFault,
  type FailNthFault,
  type RstFault,
  type DelayFault,
  type StallFault,
  type GoawayFault,
  type DestroyFault,
  type SettingsFault,
  type IdleTimeoutFault,
  type TlsFailFault,
  type H2ErrorCode,
} from './faults.js';
export type { AuthMode, MockServerOptions, TlsOptions } from './options.js';
export { REASON_STATUS, type Reason } from './reasons.js';
export type { RecordedRequest, Outcome, ConnectionStats, ServerStats } from './recorder.js';
export type { GoneReason, Unregistration } from './registry.js';
export { PAYLOAD_LIMIT, PUSH_TYPE_SUFFIX } from './validate.js';
