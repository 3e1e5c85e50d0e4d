/**
 * A decoded response header list → the `:status` and a header object, with
 * the checks of RFC 9113 §8.3.2 that matter to a client: exactly one valid
 * `:status`, no other pseudo-header, pseudo-headers first.
 * @internal
 */

/** The status and headers of one response HEADERS block. @internal */
export interface ResponseHead {
  readonly status: number;
  /** Null prototype; duplicates joined with `', '`; includes `:status` (as text). */
  readonly headers: Record<string, string>;
}

/**
 * Reads a response header list.
 * @returns The head, or a message saying why the block is malformed (a stream error).
 * @internal
 */
export function readResponseHead(fields: ReadonlyArray<readonly [string, string]>): ResponseHead | string {
  const headers = Object.create(null) as Record<string, string>;
  let status = -1;
  let regular = false;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const name = field[0];
    const value = field[1];
    if (name.charCodeAt(0) === 0x3a /* ':' */) {
      if (name !== ':status') return `The response carries the pseudo-header ${JSON.stringify(name.slice(0, 32))}`;
      if (regular) return 'The response has :status after a regular header';
      if (status !== -1) return 'The response has :status twice';
      status = parseStatus(value);
      if (status < 0) return `The response's :status ${JSON.stringify(value.slice(0, 16))} is not a 3-digit code`;
      headers[name] = value;
      continue;
    }
    regular = true;
    const previous = headers[name];
    headers[name] = previous === undefined ? value : `${previous}, ${value}`;
  }
  if (status === -1) return 'The response has no :status';
  return { status, headers };
}

/** Three ASCII digits, 100 to 999; else -1. */
function parseStatus(value: string): number {
  if (value.length !== 3) return -1;
  let status = 0;
  for (let i = 0; i < 3; i++) {
    const digit = value.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    status = status * 10 + digit;
  }
  return status >= 100 ? status : -1;
}
