import { connect, constants, type ClientHttp2Session } from 'node:http2';
import type { Outcome, RunSpec } from '../types.js';
import { countFailure } from '../workload.js';
import { providerToken } from './jwt.js';

/** Streams kept in flight per session: APNs' usual MAX_CONCURRENT_STREAMS. */
const IN_FLIGHT = 1000;

const { HTTP2_HEADER_METHOD, HTTP2_HEADER_PATH, HTTP2_HEADER_STATUS } = constants;

/**
 * The ceiling: node:http2 with no library around it. Each of `sessions` sessions keeps
 * up to 1000 streams open, starting the next request as soon as one answers.
 *
 * Like APNs, the mock allows one stream until a request carries a valid token, so each
 * session first sends one request alone (the least a careful plain client does), then
 * opens the floodgates.
 */
export async function run(spec: RunSpec, tokens: string[], sessions: number): Promise<Outcome> {
  const { target } = spec;
  const authorization = `bearer ${providerToken(target.signingKey.key, target.signingKey.keyId, target.signingKey.teamId)}`;
  const body = Buffer.from(spec.payload);
  const failures: Record<string, number> = {};
  let ok = 0;
  let next = 0;

  const open = await Promise.all(Array.from({ length: sessions }, () => openSession(target.origin, target.ca)));

  const lane = (session: ClientHttp2Session): Promise<void> =>
    new Promise((resolve) => {
      let inFlight = 0;
      let then: (() => void) | undefined;
      const pump = (limit: number, after?: () => void): void => {
        if (after) then = after;
        while (inFlight < limit && next < tokens.length) {
          const token = tokens[next++]!;
          inFlight++;
          const stream = session.request({
            [HTTP2_HEADER_METHOD]: 'POST',
            [HTTP2_HEADER_PATH]: `/3/device/${token}`,
            authorization,
            'apns-topic': spec.topic,
            'apns-push-type': 'alert',
          });
          let status = 0;
          let settled = false;
          const done = (reason?: string): void => {
            if (settled) return;
            settled = true;
            inFlight--;
            if (reason === undefined && status === 200) ok++;
            else countFailure(failures, reason ?? `status ${status}`);
            if (then) {
              const warm = then;
              then = undefined;
              warm();
            } else if (next < tokens.length) pump(IN_FLIGHT);
            if (inFlight === 0 && next >= tokens.length) resolve();
          };
          stream.on('response', (headers) => {
            status = Number(headers[HTTP2_HEADER_STATUS]);
          });
          stream.on('error', (error: Error) => done(error.message));
          stream.on('end', () => done());
          stream.on('close', () => done(status === 0 ? 'stream closed without a response' : undefined));
          stream.resume();
          stream.end(body);
        }
      };
      const first = next < tokens.length;
      pump(first ? 1 : IN_FLIGHT, () => pump(IN_FLIGHT));
      if (!first) resolve();
    });

  await Promise.all(open.map(lane));
  await Promise.all(open.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return { ok, failed: tokens.length - ok, failures };
}

function openSession(origin: string, ca: string): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = connect(origin, { ca });
    session.once('connect', () => {
      session.off('error', reject);
      session.on('error', () => {
        // Stream errors carry the failure; a session error also closes its streams.
      });
      resolve(session);
    });
    session.once('error', reject);
  });
}
