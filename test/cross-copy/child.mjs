// Loads two separate copies of every pushwire package from the built
// `dist` (run `tsc -b` first) and checks `instanceof` across them for every
// exported error class. Prints one JSON report on stdout; run by
// cross-copy.test.ts, which asserts on it.
//
// Two copies: a module resolve hook tags every pushwire module loaded by a
// tagged module with the same `?pushwire-copy=<tag>` query, so copy `a` and
// copy `b` are two whole module graphs (models, connection, pool, api, queue, cli),
// as two installs of pushwire in one `node_modules` would be. (A query on the
// entry alone would not do: its own imports would resolve to one shared
// copy.) Third-party modules stay shared, which does not matter here.
//
// Usage: node child.mjs <repo root> <package>...
import { register } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, ...packages] = process.argv.slice(2);
const packagesUrl = pathToFileURL(join(root, 'packages')).href + '/';

const hook = `
const PACKAGES = ${JSON.stringify(packagesUrl)};
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const parent = context.parentURL === undefined ? undefined : new URL(context.parentURL);
  const copy = parent?.searchParams.get('pushwire-copy');
  if (copy && result.url.startsWith(PACKAGES) && result.url.includes('/dist/') && !result.url.includes('/node_modules/')) {
    const url = new URL(result.url);
    url.searchParams.set('pushwire-copy', copy);
    return { ...result, url: url.href };
  }
  return result;
}
`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

/** One instance of each error class, from its constructor: a class without one is reported. */
const SAMPLES = {
  APNSError: (C) => new C('x'),
  InvalidArgumentError: (C) => new C('field', 'is wrong'),
  PayloadTooLargeError: (C) => new C(5000, 4096),
  BadResponseError: (C) => new C('the body is not JSON'),
  Blocked: (C) => new C(),
  Closed: (C) => new C('closed', { outcome: 'not-sent' }),
  Timeout: (C) => new C(10),
  ConnectError: (C) => new C('x'),
  ProtocolError: (C) => new C('x', 1),
  AuthHookError: (C) => new C(),
  ResponseError: (C) => new C({ status: 503, reason: 'ServiceUnavailable', headers: {} }, true),
  AbortError: (C) => new C(),
  APNSRejection: (C) => new C({ status: 410, reason: 'Unregistered' }),
  BatchInterrupted: (C) => new C('source', new Error('x'), undefined),
  TokenFileError: (C) => new C('/tmp/tokens.txt', 'no such file'),
  CredentialFileError: (C) => new C('auth.token.key', '/etc/apns/AuthKey.p8', 'no such file'),
  CampaignNotFound: (C) => new C('c1'),
  CampaignWaitAborted: (C) => new C('c1', 'its timeout passed'),
  JobLockLost: (C) => new C('j1'),
  JobInterrupted: (C) => new C('j1'),
  RetryLater: (C) => new C('j1', 3),
  CliError: (C) => new C('x', 2),
};

const isErrorClass = (value) => typeof value === 'function' && Object.prototype.isPrototypeOf.call(Error.prototype, value.prototype);

const report = {};
for (const name of packages) {
  const entry = pathToFileURL(join(root, 'packages', name, 'dist/index.js')).href;
  const a = await import(`${entry}?pushwire-copy=a`);
  const b = await import(`${entry}?pushwire-copy=b`);
  const classes = Object.keys(a).filter((key) => isErrorClass(a[key])).sort();
  const failures = [];
  // The two copies must really be two: the same class from each is a different object.
  const separate = classes.length > 0 && classes.every((key) => a[key] !== b[key]);
  let checks = 0;
  for (const key of classes) {
    const sample = SAMPLES[key];
    if (sample === undefined) {
      failures.push(`${key}: no sample in child.mjs`);
      continue;
    }
    const fromA = sample(a[key]);
    const fromB = sample(b[key]);
    for (const other of classes) {
      // Within one copy the prototype chain is the truth; across copies instanceof must agree with it.
      const expected = Object.prototype.isPrototypeOf.call(a[other].prototype, fromA);
      checks += 2;
      if ((fromA instanceof b[other]) !== expected) failures.push(`${key} from copy a instanceof ${other} from copy b: expected ${expected}`);
      if ((fromB instanceof a[other]) !== expected) failures.push(`${key} from copy b instanceof ${other} from copy a: expected ${expected}`);
    }
    if (!(fromA instanceof b[key]) || !(fromA instanceof Error)) failures.push(`${key}: not an instance of itself across copies`);
    if (new Error('plain') instanceof b[key]) failures.push(`${key}: a plain Error passes instanceof`);
  }
  report[name] = { classes, separate, checks, failures };
}
process.stdout.write(`${JSON.stringify(report)}\n`);
