// docs/errors.md's table of codes is checked against the exports: every
// exported error class and code of every tier is a row, every row is an
// exported class of the package it names (and of @pushwire/api, which
// re-exports the tiers below it) raising that code, with an outcome and
// retryability the row allows. Each package's `ErrorCode` union is checked
// at compile time (tsc -p tsconfig.test.json) against the codes of its
// classes and the tiers below it.
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as api from '@pushwire/api';
import * as cli from '@pushwire/cli';
import * as connection from '@pushwire/connection';
import * as models from '@pushwire/models';
import * as pool from '@pushwire/pool';
import * as queue from '@pushwire/queue';
import type { BatchResult } from '@pushwire/api';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TABLE = join(ROOT, 'docs/errors.md');

/** One instance of every error class, by package: how the table's codes and flags are checked. */
const FACTORIES = {
  models: {
    // The root raised as such carries the root code.
    APNSError: () => new models.APNSError('x') as models.APNSError & { readonly code: 'ERR_PUSHWIRE' },
    InvalidArgumentError: () => new models.InvalidArgumentError('field', 'is wrong'),
    PayloadTooLargeError: () => new models.PayloadTooLargeError(5000, 4096),
    BadResponseError: () => new models.BadResponseError('the body is not JSON'),
  },
  connection: {
    Blocked: () => new connection.Blocked(),
    Closed: () => new connection.Closed(),
    Timeout: () => new connection.Timeout(10),
    ConnectError: () => new connection.ConnectError('x'),
    ProtocolError: () => new connection.ProtocolError('x', 1),
    AuthHookError: () => new connection.AuthHookError(),
  },
  pool: {
    ResponseError: () => new pool.ResponseError({ status: 503, reason: 'ServiceUnavailable', apnsId: undefined, apnsUniqueId: undefined, timestamp: undefined, retryAfter: undefined, headers: {}, body: undefined }, true),
    AbortError: () => new pool.AbortError(),
  },
  api: {
    APNSRejection: () => new api.APNSRejection({ status: 410, reason: 'Unregistered' }),
    BatchInterrupted: () => new api.BatchInterrupted('source', new Error('x'), undefined as unknown as BatchResult),
    TokenFileError: () => new api.TokenFileError('/tmp/tokens.txt', 'no such file'),
    CredentialFileError: () => new api.CredentialFileError('auth.token.key', '/etc/apns/AuthKey.p8', 'no such file'),
  },
  queue: {
    CampaignNotFound: () => new queue.CampaignNotFound('c1'),
    CampaignWaitAborted: () => new queue.CampaignWaitAborted('c1', 'its timeout passed'),
    JobLockLost: () => new queue.JobLockLost('j1'),
    JobInterrupted: () => new queue.JobInterrupted('j1'),
    RetryLater: () => new queue.RetryLater('j1', 3),
  },
  cli: {
    CliError: () => new cli.CliError('x', cli.ExitCode.BadInput),
  },
} as const;

type Tier = keyof typeof FACTORIES;
type CodesIn<T extends Tier> = T extends Tier
  ? { [K in keyof (typeof FACTORIES)[T]]: (typeof FACTORIES)[T][K] extends () => { readonly code: infer C } ? C : never }[keyof (typeof FACTORIES)[T]]
  : never;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

// Each tier's union is its codes plus those of the tiers below; a class or
// code added without its union (or the reverse) fails to compile here.
const UNIONS: Record<string, true> = {
  models: true satisfies Equal<models.ErrorCode, CodesIn<'models'>>,
  connection: true satisfies Equal<connection.ErrorCode, CodesIn<'models' | 'connection'>>,
  pool: true satisfies Equal<pool.ErrorCode, CodesIn<'models' | 'connection' | 'pool'>>,
  api: true satisfies Equal<api.ErrorCode, CodesIn<'models' | 'connection' | 'pool' | 'api'>>,
  queue: true satisfies Equal<queue.ErrorCode, CodesIn<'models' | 'queue'>>,
  cli: true satisfies Equal<cli.ErrorCode, CodesIn<'models' | 'connection' | 'pool' | 'api' | 'cli'>>,
  // Every literal, not `string`: switching on a code is checked.
  literal: true satisfies Equal<string extends api.ErrorCode ? true : false, false>,
};

const MODULES: Record<Tier, Record<string, unknown>> = { models, connection, pool, api, queue, cli };
const BELOW_API: readonly Tier[] = ['models', 'connection', 'pool'];

interface Row {
  code: string;
  className: string;
  tier: string;
  outcomes: string[];
  retryable: string;
}

/** The rows of the table whose header starts with `| Code | Class | Package |`. */
function readTable(): Row[] {
  const lines = readFileSync(TABLE, 'utf8').split('\n');
  const header = lines.findIndex((line) => /^\|\s*Code\s*\|\s*Class\s*\|\s*Package\s*\|/.test(line));
  expect(header).toBeGreaterThan(-1);
  const rows: Row[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
    expect(cells).toHaveLength(7);
    const [code, className, tier, outcome, retryable] = cells as [string, string, string, string, string];
    const unquote = (cell: string, pattern: RegExp): string => {
      const match = pattern.exec(cell);
      if (match === null) throw new Error(`docs/errors.md: cannot read ${JSON.stringify(cell)} in: ${line}`);
      return match[1] as string;
    };
    rows.push({
      code: unquote(code, /^`([A-Z_]+)`$/),
      className: unquote(className, /^`([A-Za-z]+)`$/),
      tier: unquote(tier, /^`@pushwire\/([a-z-]+)`$/),
      outcomes: [...outcome.matchAll(/'([a-z-]+)'/g)].map((m) => m[1] as string),
      retryable,
    });
  }
  return rows;
}

/** The error classes a module exports, by export name. */
function errorClasses(module: Record<string, unknown>): Map<string, abstract new (...args: never[]) => Error> {
  const found = new Map<string, abstract new (...args: never[]) => Error>();
  for (const [name, value] of Object.entries(module)) {
    if (typeof value === 'function' && Object.prototype.isPrototypeOf.call(Error.prototype, value.prototype as object)) {
      found.set(name, value as abstract new (...args: never[]) => Error);
    }
  }
  return found;
}

const rows = readTable();
const factory = (tier: Tier, name: string): (() => Error & { code: string; outcome?: string; retryable?: boolean }) | undefined =>
  (FACTORIES[tier] as Record<string, () => Error & { code: string }>)[name];

describe('docs/errors.md', () => {
  test('the ErrorCode unions match the classes (checked by the compiler)', () => {
    expect(Object.values(UNIONS).every((v) => v)).toBe(true);
  });

  test('has one row per class, each naming a package we check', () => {
    const names = rows.map((r) => r.className);
    expect(new Set(names).size).toBe(names.length);
    for (const row of rows) expect(Object.keys(MODULES)).toContain(row.tier);
  });

  test.each(Object.keys(MODULES) as Tier[])('every error class @pushwire/%s exports is a row, and every row of it is exported', (tier) => {
    const exported = errorClasses(MODULES[tier]);
    // A package's own classes are the rows naming it; it may re-export the rows of the tiers below it.
    const own = rows.filter((r) => r.tier === tier).map((r) => r.className);
    for (const name of own) expect([tier, name, exported.has(name)]).toEqual([tier, name, true]);
    for (const name of exported.keys()) {
      const row = rows.find((r) => r.className === name);
      expect([name, row === undefined ? 'missing from docs/errors.md' : 'in the table']).toEqual([name, 'in the table']);
      // The export is that row's class, not a look-alike.
      expect(exported.get(name)).toBe(MODULES[row!.tier as Tier][name]);
    }
    expect(Object.keys(FACTORIES[tier]).sort()).toEqual([...own].sort());
  });

  test('@pushwire/api exports every class of the tiers below it', () => {
    const exported = errorClasses(api);
    for (const row of rows.filter((r) => BELOW_API.includes(r.tier as Tier) || r.tier === 'api')) {
      expect([row.className, exported.get(row.className)]).toEqual([row.className, MODULES[row.tier as Tier][row.className]]);
    }
  });

  test.each(rows.map((r) => [r.className, r] as const))('%s: the row states its code, outcome and retryability', (name, row) => {
    const make = factory(row.tier as Tier, name);
    expect(make).toBeDefined();
    const error = make!();
    expect(error.name).toBe(name);
    expect(error.code).toBe(row.code);
    expect(error).toBeInstanceOf(MODULES[row.tier as Tier][name] as new () => Error);
    if (error instanceof models.APNSError) {
      expect(row.outcomes.length).toBeGreaterThan(0);
      expect(row.outcomes).toContain(error.outcome);
      if (row.retryable === 'no') expect(error.retryable).toBe(false);
      if (row.retryable === 'yes') expect(error.retryable).toBe(true);
    } else {
      expect(row.outcomes).toEqual([]);
    }
  });

  test('codes: every code of every class is in the table, and none else', () => {
    const fromClasses = new Set<string>();
    for (const tier of Object.keys(FACTORIES) as Tier[]) for (const make of Object.values(FACTORIES[tier])) fromClasses.add(make().code);
    expect([...new Set(rows.map((r) => r.code))].sort()).toEqual([...fromClasses].sort());
  });
});
