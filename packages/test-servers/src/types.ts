/** A server this package started, on a free loopback port, until `stop()`. */
export interface TestServer {
  readonly name: 'nginx' | 'nghttpd';
  /** `https://localhost:<port>`; the server listens on 127.0.0.1 only. */
  readonly origin: string;
  readonly port: number;
  /** PEM of the CA that signed the server certificate (SANs `localhost` and 127.0.0.1). */
  readonly ca: string;
  /** The same CA on disk (for tools that take a file); gone after `stop()`. */
  readonly caFile: string;
  /** The server's own version, e.g. `1.22.1` (nginx) or `1.52.0` (nghttpd). */
  readonly version: string;
  /**
   * Lines the server logged so far: nginx's access log (one line per request
   * with the request line, status and connection request number), or
   * nghttpd's `-v` output (every frame sent and received, with headers).
   */
  log(): string;
  /** `undefined` while the server runs; how it ended (signal or exit code, last stderr lines) once it died. */
  exited(): string | undefined;
  /** Stops the server (graceful first, SIGKILL after 5 s), then removes its work dir. Idempotent. */
  stop(): Promise<void>;
}
