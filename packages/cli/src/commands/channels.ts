/**
 * `pushwire channels create|read|list|delete`: broadcast channel management
 * (iOS 18 Live Activities) on Apple's channel-management host.
 */
import type { Command } from 'commander';
import type { Client } from '@pushwire/api';
import { addAuthOptions } from '../auth-flags.js';
import { addChannelOptions, parseStoragePolicy, runChannelCall, type ChannelFlags } from '../channel-flags.js';
import type { CliContext } from '../context.js';
import type { ExitCode } from '../exit-codes.js';
import { EXIT_CODES_HELP } from '../exit-codes.js';
import { addTargetOptions, openTarget, type TargetFlags } from '../target.js';

type Flags = ChannelFlags & TargetFlags & { storagePolicy?: 0 | 1; verbose?: boolean };

/** What one subcommand does and prints. */
interface Operation {
  readonly name: 'create' | 'read' | 'list' | 'delete';
  readonly description: string;
  readonly examples: string;
  /** Calls the API; resolves with the JSON outcome and the plain-text lines. */
  run(client: Client, flags: Flags): Promise<{ json: Record<string, unknown>; text: string }>;
}

const BUNDLE = 'com.example.app';

const OPERATIONS: readonly Operation[] = [
  {
    name: 'create',
    description: 'create a channel; prints its id',
    examples: `  $ pushwire channels create --env mock --bundle-id ${BUNDLE} --storage-policy none
  $ pushwire channels create --env production --key-file AuthKey_ABC123DEFG.p8 --key-id ABC123DEFG \\
      --team-id DEF123GHIJ --bundle-id ${BUNDLE} --storage-policy most-recent --json`,
    async run(client, flags) {
      const created = await client.channels.create({ bundleId: flags.bundleId, storagePolicy: flags.storagePolicy as 0 | 1 });
      return { json: { status: 201, ...created }, text: created.channelId };
    },
  },
  {
    name: 'read',
    description: "print a channel's storage policy and push type",
    examples: `  $ pushwire channels read --env mock --bundle-id ${BUNDLE} --channel dHN0LXNyY2gtY2hubA==`,
    async run(client, flags) {
      const info = await client.channels.read({ bundleId: flags.bundleId, channelId: flags.channel as string });
      const policy = info.storagePolicy === 0 ? '0 (no message stored)' : '1 (most recent message stored)';
      return { json: { status: 200, ...info }, text: `storage-policy: ${policy}\npush-type: ${info.pushType}` };
    },
  },
  {
    name: 'list',
    description: "print every channel id of the app, one per line",
    examples: `  $ pushwire channels list --env mock --bundle-id ${BUNDLE}
  $ pushwire channels list --env production --bundle-id ${BUNDLE} --json | jq -r '.channels[]'`,
    async run(client, flags) {
      const list = await client.channels.list({ bundleId: flags.bundleId });
      return { json: { status: 200, ...list }, text: list.channels.join('\n') };
    },
  },
  {
    name: 'delete',
    description: 'delete a channel (final); prints its id',
    examples: `  $ pushwire channels delete --env mock --bundle-id ${BUNDLE} --channel dHN0LXNyY2gtY2hubA==`,
    async run(client, flags) {
      const deleted = await client.channels.delete({ bundleId: flags.bundleId, channelId: flags.channel as string });
      return { json: { status: 204, ...deleted }, text: deleted.channelId };
    },
  },
];

/** Adds `channels` and its four subcommands to `program`. */
export function registerChannels(program: Command, context: CliContext): Command {
  const channels = program
    .command('channels')
    .description('manage broadcast channels (Live Activities, iOS 18): create, read, list, delete')
    .addHelpText(
      'after',
      `
Channels live on Apple's channel-management host (api-manage-broadcast[.sandbox].push.apple.com,
port 2196 / 2195); with --env mock or an https:// origin every call goes to that origin.

Examples:
${OPERATIONS.map((op) => op.examples).join('\n')}

${EXIT_CODES_HELP}`,
    );
  for (const op of OPERATIONS) {
    const command = channels.command(op.name).description(op.description);
    if (op.name === 'create') {
      command.requiredOption('--storage-policy <policy>', 'none (0: nothing stored, larger budget) or most-recent (1: latest kept 8 h)', parseStoragePolicy);
    }
    if (op.name === 'read' || op.name === 'delete') command.requiredOption('--channel <id>', 'the channel id (base64, as create printed it)');
    addChannelOptions(command);
    addTargetOptions(command);
    addAuthOptions(command);
    command.addHelpText('after', `\nExamples:\n${op.examples}\n\n${EXIT_CODES_HELP}`);
    command.exitOverride().configureOutput(program.configureOutput());
    command.action(async (_flags: Flags, cmd: Command) => {
      context.setExitCode(await runOperation(op, cmd, cmd.optsWithGlobals<Flags>(), context));
    });
  }
  return channels;
}

async function runOperation(op: Operation, command: Command, flags: Flags, context: CliContext): Promise<ExitCode> {
  const { stdout, stderr } = context.io;
  const target = await openTarget(command, flags, stderr);
  if (flags.verbose === true) stderr.write(`channels ${op.name} via ${target.client.origin}\n`);
  return runChannelCall(target, context.io, flags.json === true, async () => {
    const { json, text } = await op.run(target.client, flags);
    stdout.write(flags.json === true ? `${JSON.stringify(json)}\n` : text === '' ? '' : `${text}\n`);
  });
}
