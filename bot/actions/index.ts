import type { AnyCardAction } from './defineAction';
import { rolesRefresh } from './roles.refresh.action';

/** Every Action.Execute verb the bot handles; a test checks each has a template that uses it and vice versa. */
export const actions: readonly AnyCardAction[] = [rolesRefresh];
