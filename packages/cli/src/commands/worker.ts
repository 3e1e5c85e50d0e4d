/**
 * `pushwire worker`: a queue worker (`@pushwire/queue`) that sends the
 * campaigns enqueued under one credentials name, with the key from its own
 * flags (never from Redis), until SIGINT/SIGTERM.
 */
import { Option, type Command } from 'commander';
import type { JobReport } from '@pushwire/queue';
import { addAuthOptions } from '../auth-flags.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP, ExitCode } from '../exit-codes.js';
import { count } from '../format.js';
import { addQueueOptions, parseRateLimit, redactUrl, redisUrl, type QueueFlags } from '../queue-flags.js';
import { addTargetOptions, positiveInt, renamed, resolveTarget, type TargetFlags } from '../target.js';

type WorkerFlags = TargetFlags & QueueFlags & { concurrency?: number; jobConcurrency?: number; rateLimit?: { max: number; duration: number }; verbose?: boolean };

const HELP = `
Examples:
  $ export REDIS_URL=redis://127.0.0.1:6379
  $ pushwire worker --credentials main --env production --key-file AuthKey_ABC123DEFG.p8 \\
      --key-id ABC123DEFG --team-id DEF123GHIJ
  $ pushwire worker --credentials main --env mock --job-concurrency 4 --rate-limit 20/1000

Sends the jobs of campaigns enqueued with the same --credentials name (see
\`pushwire enqueue\`), any number of workers on any number of machines.
Each token's outcome is recorded in Redis as it arrives; a job whose worker
died is resumed by another one: nothing with an outcome is sent twice, and
tokens that were in flight are resent with the same apns-id and collapse id,
flagged as possible duplicates. Provider tokens are shared through Redis
(one JWT per key for all workers); the key itself stays in this process.
--job-concurrency is how many jobs run at once; --concurrency how many
tokens of one job are in flight (as in \`pushwire bulk\`; it replaces --window).
--rate-limit <jobs>/<ms> is global across all workers of the name.
SIGINT (Ctrl-C) or SIGTERM: jobs in progress finish, then it exits; a second
signal exits at once (the jobs are resumed elsewhere).

${EXIT_CODES_HELP}`;

/** Adds `worker` to `program`. */
export function registerWorker(program: Command, context: CliContext): Command {
  const command = program.command('worker').description('send queued campaigns (from `pushwire enqueue`) until Ctrl-C, via Redis');
  addQueueOptions(command);
  command
    .addOption(new Option('--job-concurrency <n>', 'jobs at once in this worker (default 2)').argParser(positiveInt('--job-concurrency', 1000)))
    .addOption(new Option('--concurrency <n>', 'most tokens of one job in flight, as `bulk --concurrency` (default 1000)').argParser(positiveInt('--concurrency', 100_000)))
    .addOption(new Option('--window <n>').hideHelp().argParser(renamed('--window', '--concurrency', ' (tokens in flight; jobs at once are --job-concurrency)')))
    .addOption(new Option('--rate-limit <jobs/ms>', 'at most <jobs> jobs started per <ms>, across every worker of the name').argParser(parseRateLimit));
  addTargetOptions(command);
  addAuthOptions(command);
  command.addHelpText('after', HELP);
  command.action(async (_flags: WorkerFlags, cmd: Command) => {
    context.setExitCode(await work(cmd, cmd.optsWithGlobals<WorkerFlags>(), context));
  });
  return command;
}

async function work(command: Command, flags: WorkerFlags, context: CliContext): Promise<ExitCode> {
  const { stdout, stderr } = context.io;
  const url = redisUrl(flags);
  const { spec, description } = await resolveTarget(command, flags, stderr);
  // Take over signals before connecting, so an early Ctrl-C still stops cleanly.
  const interrupted = context.interrupted();
  const { CampaignWorker } = await import('@pushwire/queue');
  const worker = new CampaignWorker({
    redis: url,
    ...(flags.prefix === undefined ? {} : { prefix: flags.prefix }),
    credentials: { [flags.credentials]: { ...spec, ...(flags.rateLimit === undefined ? {} : { limiter: flags.rateLimit }) } },
    ...(flags.jobConcurrency === undefined ? {} : { jobConcurrency: flags.jobConcurrency }),
    ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
  });
  let lastError = '';
  worker.on('error', (error: Error) => {
    // One line per distinct problem (a Redis outage repeats the same one).
    if (error.message === lastError) return;
    lastError = error.message;
    stderr.write(`worker: ${error.message}\n`);
  });
  if (flags.verbose === true) {
    worker.on('completed', (r: JobReport) => void stdout.write(`job ${r.jobId}: ${count(r.attempted)} sent, ${count(r.resent)} resent, ${count(r.skipped)} skipped\n`));
  }
  try {
    await Promise.race([worker.waitUntilReady(), interrupted]);
    stdout.write(`worker ready: credentials '${flags.credentials}' → ${description}; Redis ${redactUrl(url)}\n`);
    const signal = await interrupted;
    stdout.write(`${signal}: finishing jobs in progress\n`);
    await worker.close();
    const stats = worker.stats();
    stdout.write(`worker stopped: ${count(stats.completed)} jobs, ${count(stats.attempted)} tokens sent (${count(stats.resent)} resent)\n`);
    return ExitCode.Ok;
  } finally {
    await worker.close({ force: true });
  }
}
