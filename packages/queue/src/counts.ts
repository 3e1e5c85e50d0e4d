/**
 * A campaign's counts, read from its `counts` and `meta` hashes. Every
 * token is counted once, when it gets its final outcome.
 */

/** Where a campaign stands (see `Campaign.counts()`). */
export interface CampaignCounts {
  /** Tokens in the campaign; `undefined` while the producer is still enqueuing. */
  readonly total: number | undefined;
  /** Jobs the tokens were split into; `undefined` while enqueuing. */
  readonly jobs: number | undefined;
  /** Tokens with a final outcome (`sent + rejected + notSent + unknown`). */
  readonly done: number;
  /** APNs answered 200. */
  readonly sent: number;
  /** APNs answered non-200. */
  readonly rejected: number;
  /** Rejections by APNs' reason, e.g. `{ Unregistered: 12, BadDeviceToken: 3 }`. */
  readonly rejectedByReason: Readonly<Record<string, number>>;
  /** Provably never processed by APNs (after the job's last attempt). */
  readonly notSent: number;
  /** Not-sent tokens by error name, e.g. `{ ConnectError: 1000 }`. */
  readonly notSentByError: Readonly<Record<string, number>>;
  /** Written, no answer: APNs may have delivered them. */
  readonly unknown: number;
  /** Unknown tokens by error name, e.g. `{ Timeout: 2 }`. */
  readonly unknownByError: Readonly<Record<string, number>>;
  /** Tokens (of any outcome) that may have been delivered more than once. */
  readonly possibleDuplicates: number;
  /** Whether every token has its final outcome. */
  readonly complete: boolean;
  /** When the campaign was enqueued and completed (ms since epoch). */
  readonly createdAt: number | undefined;
  readonly completedAt: number | undefined;
}

/** Counts from the raw hashes (`HGETALL` replies). */
export function parseCounts(counts: Record<string, string>, meta: Record<string, string>): CampaignCounts {
  const rejectedByReason: Record<string, number> = {};
  const notSentByError: Record<string, number> = {};
  const unknownByError: Record<string, number> = {};
  for (const [field, value] of Object.entries(counts)) {
    const colon = field.indexOf(':');
    if (colon === -1) continue;
    const group = field.slice(0, colon);
    const name = field.slice(colon + 1);
    if (group === 'rejected') rejectedByReason[name] = Number(value);
    else if (group === 'not-sent') notSentByError[name] = Number(value);
    else if (group === 'unknown') unknownByError[name] = Number(value);
  }
  const number = (text: string | undefined): number | undefined => (text === undefined || text === '' ? undefined : Number(text));
  return {
    total: number(meta['total']),
    jobs: number(meta['jobs']),
    done: Number(counts['done'] ?? 0),
    sent: Number(counts['sent'] ?? 0),
    rejected: Number(counts['rejected'] ?? 0),
    rejectedByReason,
    notSent: Number(counts['not-sent'] ?? 0),
    notSentByError,
    unknown: Number(counts['unknown'] ?? 0),
    unknownByError,
    possibleDuplicates: Number(counts['possibleDuplicates'] ?? 0),
    complete: meta['completedAt'] !== undefined,
    createdAt: number(meta['createdAt']),
    completedAt: number(meta['completedAt']),
  };
}
