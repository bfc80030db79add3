import type { AnyCommand } from './defineCommand';
import { help } from './help.command';
import { whoami } from './whoami.command';

/** The registry: drives the router, the help card, the manifest's command list and the docs. Order is the help order. */
export const commands: readonly AnyCommand[] = [whoami, help];
