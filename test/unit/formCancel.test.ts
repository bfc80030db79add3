import { templates } from '../../cards';

/** Every card that starts a change: the request and invite forms, and the pick lists and confirmation before a revoke. */
const FORMS = ['accessPick', 'accessRequestForm', 'inviteConfirm', 'revokePicker', 'revokeConfirm'] as const;

function cancelButtons(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => cancelButtons(n, found));
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (record.type === 'Action.Execute' && record.title === 'Cancel' && typeof record.verb === 'string') found.push(record.verb);
    Object.values(record).forEach((v) => cancelButtons(v, found));
  }
  return found;
}

describe('every form has Cancel', () => {
  it.each(FORMS)('%s', (name) => {
    expect(cancelButtons(templates[name])).toHaveLength(1);
  });
});
