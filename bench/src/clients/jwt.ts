import { createSign } from 'node:crypto';

/**
 * A provider token (ES256 JWT, raw r‖s signature) for the plain node:http2 client,
 * signed once per run as every library here does.
 */
export function providerToken(key: string, keyId: string, teamId: string): string {
  const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${b64({ alg: 'ES256', kid: keyId })}.${b64({ iss: teamId, iat: Math.floor(Date.now() / 1000) })}`;
  const signature = createSign('sha256').update(input).sign({ key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}
