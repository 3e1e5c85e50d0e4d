/**
 * Flags shared by `pushwire worker` and `pushwire enqueue`: where Redis is
 * (`--redis` or `REDIS_URL`), the key prefix, and the credentials name that
 * ties a campaign to the workers that can send it.
 */
import { Option, type Command } from 'commander';
import { badInput } from './exit-codes.js';

/** The queue flags as commander parses them. */
export interface QueueFlags {
  redis?: string;
  prefix?: string;
  credentials: string;
}

/** Adds `--redis`, `--prefix` and `--credentials`. */
export function addQueueOptions(command: Command): Command {
  return command
    .addOption(new Option('--redis <url>', 'Redis (or Valkey) URL, redis:// or rediss://').env('REDIS_URL'))
    .addOption(new Option('--prefix <prefix>', 'key prefix shared by producers and workers (default pushwire)'))
    .addOption(new Option('--credentials <name>', 'credentials name: campaigns enqueued under it go to workers started with it').default('default'));
}

/** The Redis URL of the flags. @throws {CliError} when there is none or it is not a redis URL. */
export function redisUrl(flags: QueueFlags): string {
  const url = flags.redis?.trim();
  if (url === undefined || url === '') throw badInput('no Redis: give --redis <url> or set REDIS_URL (e.g. redis://127.0.0.1:6379)');
  if (!/^rediss?:\/\//.test(url)) throw badInput(`--redis expects a redis:// or rediss:// URL, got '${redactUrl(url)}'`);
  return url;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}

/** `<jobs>/<ms>` (e.g. `10/1000`) → BullMQ limiter options. */
export function parseRateLimit(value: string): { max: number; duration: number } {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const max = Number(match?.[1]);
  const duration = Number(match?.[2]);
  if (match === null || max < 1 || duration < 1 || !Number.isSafeInteger(max) || !Number.isSafeInteger(duration)) {
    throw badInput(`--rate-limit expects <jobs>/<ms>, e.g. 10/1000, got '${value}'`);
  }
  return { max, duration };
}
