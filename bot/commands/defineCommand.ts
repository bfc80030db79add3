import type { Attachment } from 'botbuilder';
import type { z } from 'zod';
import type { HandlerContext } from '../handlers/context';
import type { Permission } from '../identity/policy';

export type { HandlerContext } from '../handlers/context';

export interface CommandContext extends HandlerContext {
  /** The message's attachments as Teams sent them (a CSV file for bulk invite); unknown until parsed. */
  attachments?: readonly unknown[];
  /** The registry, for commands that describe other commands (help). */
  commands: readonly AnyCommand[];
}

/** What a command hands back: one card, or a card plus a short text for notifications and screen readers. */
export type CommandReply = Attachment | { card: Attachment; text?: string };

export interface Command<Args = unknown> {
  name: string;
  aliases: readonly string[];
  summary: string;
  usage: string;
  /** Parses the tokenized text; a failure is shown to the caller with the usage line. */
  args: z.ZodType<Args>;
  permission: Permission;
  run(context: CommandContext, args: Args): Promise<CommandReply>;
}

/** Declares a command as data: the router, the help card, the manifest and the docs all read these fields. */
export function defineCommand<Args>(command: Command<Args>): Command<Args> {
  return command;
}

// Method parameters are bivariant, so any Command<Args> is a Command<unknown>: the router parses args with the command's own schema.
export type AnyCommand = Command<unknown>;
