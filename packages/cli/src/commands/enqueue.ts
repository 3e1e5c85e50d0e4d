/**
 * `pushwire enqueue`: a campaign onto the queue (`@pushwire/queue`): a
 * token file split into jobs for `pushwire worker` processes, optionally
 * waiting for its completion and printing its counts.
 */
import { Option, type Command } from 'commander';
import type { CampaignCounts } from '@pushwire/queue';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP, ExitCode, badInput } from '../exit-codes.js';
import { count, duration } from '../format.js';
import { addNotificationOptions, loadNotification, sendOptionsOf, type NotificationFlags } from '../notification-flags.js';
import { addQueueOptions, redactUrl, redisUrl, type QueueFlags } from '../queue-flags.js';
import { positiveInt } from '../target.js';
import { STDIN, assertReadable, readTokens, readTokensFrom } from '../token-file.js';

type EnqueueFlags = NotificationFlags &
  QueueFlags & { tokens: string; tokensPerJob?: number; campaignId?: string; attempts?: number; wait?: boolean; json?: boolean; verbose?: boolean };

const HELP = `
Examples:
  $ export REDIS_URL=redis://127.0.0.1:6379
  $ pushwire enqueue --credentials main --topic com.example.app --alert "Sale!" --tokens tokens.txt.gz
  $ pushwire enqueue --credentials main --topic com.example.app --payload payload.json --tokens tokens.txt --wait
  $ pushwire enqueue --credentials main --topic com.example.app --alert "Sale!" --tokens tokens.txt \\
      --campaign-id 2f1c0a4e-8d7b-4f5e-9a41-6c1d0e2b7a90    # again after a crash: nothing is sent twice

Prints the campaign id once every job is in Redis; workers started with
\`pushwire worker --credentials <name>\` send it. --wait then waits for the
last token's outcome and prints the counts (--json: one JSON line). The
signing key never goes to Redis: workers hold it.

${EXIT_CODES_HELP}
  (without --wait: 0 once enqueued)`;

/** Adds `enqueue` to `program`. */
export function registerEnqueue(program: Command, context: CliContext): Command {
  const command = program.command('enqueue').description('enqueue a campaign (a token file) for `pushwire worker` processes, via Redis');
  command.requiredOption('--tokens <file>', "file with one device token per line (gzip too); '-' for stdin");
  addNotificationOptions(command, "payload JSON file as APNs expects it ({\"aps\":{...}, ...}); '-' for stdin");
  addQueueOptions(command);
  command
    .addOption(new Option('--tokens-per-job <n>', 'tokens per job (default 1000)').argParser(positiveInt('--tokens-per-job', 100_000)))
    .option('--campaign-id <uuid>', 'campaign id (a UUID); enqueueing again with the same id sends nothing twice')
    .addOption(new Option('--attempts <n>', 'attempts per job for retryable outcomes (default 5)').argParser(positiveInt('--attempts', 1000)))
    .option('--wait', 'wait until every token has its final outcome, then print the counts')
    .option('--json', 'with --wait: print the counts as one JSON line')
    .addHelpText('after', HELP)
    .action(async (_flags: EnqueueFlags, cmd: Command) => {
      context.setExitCode(await enqueue(cmd.optsWithGlobals<EnqueueFlags>(), context));
    });
  return command;
}

async function enqueue(flags: EnqueueFlags, context: CliContext): Promise<ExitCode> {
  const { stdout, stderr } = context.io;
  const url = redisUrl(flags);
  const fromStdin = flags.tokens === STDIN;
  if (fromStdin && flags.payload === STDIN) throw badInput('--tokens - and --payload - cannot both read stdin');
  if (!fromStdin) await assertReadable('--tokens', flags.tokens);
  const notification = await loadNotification(flags, context.io, false);
  const options = sendOptionsOf(flags);
  const { CampaignProducer } = await import('@pushwire/queue');
  const producer = new CampaignProducer({ redis: url, ...(flags.prefix === undefined ? {} : { prefix: flags.prefix }) });
  const started = performance.now();
  try {
    if (flags.verbose === true) stderr.write(`enqueueing to ${redactUrl(url)}, credentials '${flags.credentials}'\n`);
    const campaign = await producer.enqueue({
      credentials: flags.credentials,
      notification,
      options,
      tokens: fromStdin ? readTokensFrom(context.io.stdin) : readTokens(flags.tokens),
      ...(flags.tokensPerJob === undefined ? {} : { tokensPerJob: flags.tokensPerJob }),
      ...(flags.campaignId === undefined ? {} : { campaignId: flags.campaignId }),
      ...(flags.attempts === undefined ? {} : { attempts: flags.attempts }),
    });
    const enqueued = await campaign.counts();
    const line = `campaign ${campaign.id}: ${count(enqueued.total ?? 0)} tokens in ${count(enqueued.jobs ?? 0)} jobs for credentials '${campaign.credentials}'\n`;
    if (flags.wait !== true) {
      stdout.write(line);
      return ExitCode.Ok;
    }
    stderr.write(line);
    campaign.on('progress', (c: CampaignCounts) => void stderr.write(`progress: ${count(c.done)}/${count(c.total ?? 0)}  sent ${count(c.sent)}  rejected ${count(c.rejected)}  not sent ${count(c.notSent)}  unknown ${count(c.unknown)}\n`));
    const counts = await campaign.done();
    stdout.write(flags.json === true ? `${JSON.stringify({ campaignId: campaign.id, ...counts })}\n` : summary(counts, performance.now() - started));
    return counts.notSent + counts.unknown > 0 ? ExitCode.Transport : counts.rejected > 0 ? ExitCode.Rejected : ExitCode.Ok;
  } finally {
    await producer.close();
  }
}

/** The counts as a table, like `bulk`'s summary. */
function summary(c: CampaignCounts, elapsed: number): string {
  const rows: Array<[string, number]> = [['sent', c.sent], ['rejected', c.rejected]];
  for (const [reason, n] of Object.entries(c.rejectedByReason)) rows.push([`  ${reason}`, n]);
  rows.push(['not sent', c.notSent]);
  for (const [error, n] of Object.entries(c.notSentByError)) rows.push([`  ${error}`, n]);
  rows.push(['unknown', c.unknown]);
  for (const [error, n] of Object.entries(c.unknownByError)) rows.push([`  ${error}`, n]);
  rows.push(['possible duplicates', c.possibleDuplicates]);
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return `${rows.map(([label, n]) => `${label.padEnd(width)}${count(n).padStart(12)}`).join('\n')}\ntotal${' '.repeat(width - 5)}${count(c.total ?? c.done).padStart(12)}\nelapsed${' '.repeat(width - 7)}${duration(elapsed).padStart(12)}\n`;
}
