/**
 * The attributes every metric point and span of an origin carries (OpenTelemetry's
 * `server.address`: the origin's host), shared by metrics and traces.
 * @internal
 */
export function originAttributes(origin: string): { 'server.address': string; 'pushwire.origin': string } {
  let host: string;
  try {
    host = new URL(origin).hostname;
  } catch {
    host = origin;
  }
  return { 'server.address': host, 'pushwire.origin': origin };
}
