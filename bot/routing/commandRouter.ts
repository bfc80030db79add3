import { cards } from '../../cards';
import type { AnyCommand, CommandContext, CommandReply } from '../commands/defineCommand';
import { describePermission, describeRoles, isAllowed } from '../identity/policy';
import { helpCard } from '../presenters/help.presenter';
import { ConfirmationGate } from './confirmationGate';
import { BROKEN_CHARACTER, hasLoneSurrogate } from './inputText';
import { tokenize } from './tokenizer';

export interface RoutedCommand {
  /** The command that ran, if any, for the turn's log line. */
  command?: string;
  reply: CommandReply;
}

/**
 * Finds the command by its exact first word or an explicit alias ("help" never fires on "helpdesk"), checks the caller's
 * permission once, validates the arguments with the command's schema, then runs it; a destructive command is not run but
 * answered with its confirmation card (the gate stores the tokens, and the action router runs it on Confirm).
 */
export class CommandRouter {
  private readonly byWord = new Map<string, AnyCommand>();
  private readonly gate: ConfirmationGate;

  constructor(
    readonly commands: readonly AnyCommand[],
    clock?: () => Date,
  ) {
    this.gate = new ConfirmationGate({ commands, actions: [] }, clock);
    for (const command of commands) {
      for (const word of [command.name, ...command.aliases]) {
        const key = word.toLowerCase();
        const existing = this.byWord.get(key);
        if (existing) throw new Error(`"${key}" is claimed by both ${existing.name} and ${command.name}`);
        this.byWord.set(key, command);
      }
    }
  }

  find(word: string): AnyCommand | undefined {
    return this.byWord.get(word.toLowerCase());
  }

  async route(text: string, context: Omit<CommandContext, 'commands'>): Promise<RoutedCommand> {
    if (hasLoneSurrogate(text)) {
      return { reply: cards.notice({ tone: 'warning', title: BROKEN_CHARACTER.title, text: BROKEN_CHARACTER.text }) };
    }
    const tokens = tokenize(text);
    const full: CommandContext = { ...context, commands: this.commands };
    const { caller } = context;
    const command = this.find(tokens.word);
    if (!command) {
      return { reply: helpCard(caller, this.commands, tokens.word ? text : undefined) };
    }
    if (!isAllowed(caller.roles, command.permission)) {
      await context.services.store.audit.append({
        actor: caller.aadObjectId,
        actorName: caller.name,
        action: `${command.name}.refused`,
        target: tokens.rest.slice(0, 200),
        outcome: 'refused',
        detail: { reason: 'permission', required: command.permission, roles: caller.roles },
      });
      return {
        command: command.name,
        reply: cards.notice({
          tone: 'warning',
          title: `You can't use ${command.name}`,
          text: `${command.name} is for ${describePermission(command.permission)}. Your role: ${describeRoles(caller.roles)}. Ask an admin to add you to the right group if you need it.`,
        }),
      };
    }
    const parsed = command.args.safeParse(tokens);
    if (!parsed.success) {
      const problem = parsed.error.issues[0]?.message ?? 'The command was not complete.';
      return {
        command: command.name,
        reply: cards.notice({ tone: 'warning', title: problem, text: 'Usage:', code: command.usage }),
      };
    }
    // Only the gate sets `confirmed`, after consuming a stored confirmation; never from the caller's context.
    const plain: CommandContext = { ...full, confirmed: undefined };
    if (command.sideEffect === 'destructive') {
      const gated = await this.gate.ask({ kind: 'command', verb: command.name, confirm: command.confirm }, plain, tokens, parsed.data);
      if ('reply' in gated) {
        const { reply } = gated;
        return { command: command.name, reply: 'card' in reply ? reply.card : cards.notice({ tone: 'warning', title: reply.message }) };
      }
    }
    return { command: command.name, reply: await command.run(plain, parsed.data) };
  }
}
