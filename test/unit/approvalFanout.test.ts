import pino from 'pino';
import { ApprovalFanout, MAX_REFRESH_USERS, type ConversationReferenceLike } from '../../bot/services/approvalFanout';
import type { ConversationAddress, Notifier, OutgoingMessage, SentMessage } from '../../bot/services/ports';

/** A notifier that remembers what it delivered and fails for the people and messages it is told to. */
class MemoryNotifier implements Notifier {
  readonly toUsers: { aadObjectId: string; message: OutgoingMessage }[] = [];
  readonly toConversations: { reference: ConversationAddress; message: OutgoingMessage }[] = [];
  readonly updates: { sent: SentMessage; message: OutgoingMessage }[] = [];
  readonly notInstalled = new Set<string>();
  readonly throwsFor = new Set<string>();
  readonly updateThrowsFor = new Set<string>();
  /** Updates of these ids land as a new message, as the real notifier does when the channel cannot edit in place. */
  readonly updateMovesFor = new Set<string>();
  channelThrows = false;
  private next = 0;

  sendToUser(aadObjectId: string, message: OutgoingMessage): Promise<SentMessage | undefined> {
    if (this.throwsFor.has(aadObjectId)) return Promise.reject(new Error(`connector refused ${aadObjectId}`));
    if (this.notInstalled.has(aadObjectId)) return Promise.resolve(undefined);
    this.toUsers.push({ aadObjectId, message });
    return Promise.resolve({ reference: { user: aadObjectId }, activityId: `a${++this.next}` });
  }

  sendToConversation(reference: ConversationAddress, message: OutgoingMessage): Promise<SentMessage> {
    if (this.channelThrows) return Promise.reject(new Error('channel gone'));
    this.toConversations.push({ reference, message });
    return Promise.resolve({ reference, activityId: `c${++this.next}` });
  }

  update(sent: SentMessage, message: OutgoingMessage): Promise<SentMessage> {
    if (this.updateThrowsFor.has(sent.activityId)) return Promise.reject(new Error(`cannot update ${sent.activityId}`));
    this.updates.push({ sent, message });
    if (this.updateMovesFor.has(sent.activityId)) return Promise.resolve({ reference: sent.reference, activityId: `moved-${sent.activityId}` });
    return Promise.resolve(sent);
  }
}

function conversations(entries: Record<string, ConversationReferenceLike>) {
  return { get: (key: string) => Promise.resolve(entries[key]) };
}

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

const card = (teamsIds: string[]): OutgoingMessage => ({ card: { contentType: 'application/vnd.microsoft.card.adaptive', content: { teamsIds } }, text: 'approve?' });

const subject = { logContext: { request: 'r1' }, requesterObjectId: 'req', approverObjectIds: ['a1', 'a2', 'a3'] };

describe('ApprovalFanout', () => {
  it('sends one card, carrying the approvers’ Teams ids, to each approver and records where each landed', async () => {
    const notifier = new MemoryNotifier();
    const fanout = new ApprovalFanout({ notifier, conversations: conversations({ a1: { user: { id: '29:a1' } }, a3: { user: { id: '29:a3' } } }) });
    const report = await fanout.send(subject, card);
    expect(notifier.toUsers.map((s) => s.aadObjectId).sort()).toEqual(['a1', 'a2', 'a3']);
    expect(notifier.toUsers[0]?.message.card.content).toEqual({ teamsIds: ['29:a1', '29:a3'] });
    expect(report).toEqual({ sent: expect.any(Array), reached: 3, unreachable: [], channel: 'none' });
    expect(report.sent.map((s) => s.activityId).sort()).toEqual(['a1', 'a2', 'a3']);
  });

  it('gives the card at most 60 Teams ids, without duplicates', async () => {
    const ids = Array.from({ length: 70 }, (_, i) => `u${i}`);
    const entries = Object.fromEntries(ids.map((id, i) => [id, { user: { id: i === 1 ? '29:u0' : `29:${id}` } }]));
    const fanout = new ApprovalFanout({ notifier: new MemoryNotifier(), conversations: conversations(entries) });
    const teamsIds = await fanout.teamsIdsOf(ids.map((id) => id.toUpperCase()));
    expect(teamsIds).toHaveLength(MAX_REFRESH_USERS);
    expect(new Set(teamsIds).size).toBe(MAX_REFRESH_USERS);
    expect(teamsIds[1]).toBe('29:u2');
  });

  it('never throws for an approver it cannot reach: it logs with context and reports them by name', async () => {
    const notifier = new MemoryNotifier();
    notifier.throwsFor.add('a1');
    notifier.notInstalled.add('a2');
    const { log, lines } = capturingLogger();
    const fanout = new ApprovalFanout({ notifier, conversations: conversations({}), log });
    const report = await fanout.send(subject, card, { nameOf: (id) => `Name ${id}` });
    expect(report.reached).toBe(1);
    expect(report.unreachable).toEqual(['Name a1', 'Name a2']);
    expect(report.sent.map((s) => s.activityId)).toEqual(['a1']);
    const refused = lines.find((l) => l.msg === 'could not send the approval card');
    expect(refused).toMatchObject({ request: 'r1', approver: 'a1' });
    expect(lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('approver not reachable')).map((l) => l.approver).sort()).toEqual(['a1', 'a2']);
  });

  it('posts to the approvals channel through its stored reference', async () => {
    const notifier = new MemoryNotifier();
    const fanout = new ApprovalFanout({ notifier, conversations: conversations({ 'conversation:19:chan': { serviceUrl: 'https://s', bot: { id: 'b' } } }), approvalsConversationId: '19:chan' });
    const report = await fanout.send(subject, card, { toChannel: true });
    expect(report.channel).toBe('sent');
    expect(notifier.toConversations).toHaveLength(1);
    expect(report.sent.map((s) => s.activityId)).toContain('c4');
  });

  it('reaches the approvals channel through the service URL of a chat the bot has, when the channel itself is not stored', async () => {
    const notifier = new MemoryNotifier();
    const fanout = new ApprovalFanout({
      notifier,
      conversations: conversations({ a2: { serviceUrl: 'https://smba', bot: { id: 'bot' }, conversation: { tenantId: 't1' } } }),
      approvalsConversationId: '19:chan',
    });
    await fanout.send(subject, card, { toChannel: true });
    expect(notifier.toConversations[0]?.reference).toEqual({
      channelId: 'msteams',
      serviceUrl: 'https://smba',
      bot: { id: 'bot' },
      conversation: { id: '19:chan', isGroup: true, conversationType: 'channel', name: '', tenantId: 't1' },
    });
  });

  it('reports the channel failed, and logs, when it is configured but cannot be reached or refuses', async () => {
    const { log, lines } = capturingLogger();
    const unknown = new ApprovalFanout({ notifier: new MemoryNotifier(), conversations: conversations({}), approvalsConversationId: '19:chan', log });
    expect((await unknown.send(subject, card, { toChannel: true })).channel).toBe('failed');
    const notifier = new MemoryNotifier();
    notifier.channelThrows = true;
    const refusing = new ApprovalFanout({ notifier, conversations: conversations({ 'conversation:19:chan': { serviceUrl: 'https://s', bot: {} } }), approvalsConversationId: '19:chan', log });
    expect((await refusing.send(subject, card, { toChannel: true })).channel).toBe('failed');
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['APPROVALS_CONVERSATION_ID is set but no conversation with the bot is known yet to reach it through', 'could not post the approval card to APPROVALS_CONVERSATION_ID']),
    );
  });

  it('does not post to the channel unless asked', async () => {
    const notifier = new MemoryNotifier();
    const fanout = new ApprovalFanout({ notifier, conversations: conversations({ 'conversation:19:chan': { serviceUrl: 'https://s', bot: {} } }), approvalsConversationId: '19:chan' });
    expect((await fanout.send(subject, card)).channel).toBe('none');
    expect(notifier.toConversations).toHaveLength(0);
  });

  it('updates every card it can and counts, and logs, the ones it cannot', async () => {
    const notifier = new MemoryNotifier();
    notifier.updateThrowsFor.add('x2');
    const { log, lines } = capturingLogger();
    const fanout = new ApprovalFanout({ notifier, conversations: conversations({}), log });
    const sent = ['x1', 'x2', 'x3'].map((activityId) => ({ reference: {}, activityId }));
    await expect(fanout.update(subject, sent, card([]))).resolves.toEqual({ sent, moved: false, failed: 1 });
    expect(notifier.updates.map((u) => u.sent.activityId)).toEqual(['x1', 'x3']);
    expect(lines.find((l) => l.msg === 'could not update an approval card')).toMatchObject({ request: 'r1', activityId: 'x2' });
  });

  it('returns where each card now is when the notifier sent a new message instead, in the order given', async () => {
    const notifier = new MemoryNotifier();
    notifier.updateMovesFor.add('x2');
    notifier.updateThrowsFor.add('x3');
    const fanout = new ApprovalFanout({ notifier, conversations: conversations({}) });
    const reference = {};
    const sent = ['x1', 'x2', 'x3'].map((activityId) => ({ reference, activityId }));
    const result = await fanout.update(subject, sent, card([]));
    expect(result.moved).toBe(true);
    expect(result.failed).toBe(1);
    expect(result.sent.map((s) => s.activityId)).toEqual(['x1', 'moved-x2', 'x3']);
  });

  it('keeps a card the connector gave no id, so its next state goes out as a new message', async () => {
    const notifier = new MemoryNotifier();
    notifier.sendToUser = (aadObjectId) => Promise.resolve({ reference: { user: aadObjectId }, activityId: '' });
    const fanout = new ApprovalFanout({ notifier, conversations: conversations({}) });
    const report = await fanout.send(subject, card);
    expect(report.sent.map((s) => s.activityId)).toEqual(['', '', '']);
  });

  it('tells the requester, and says false (logged, not thrown) when they cannot be reached', async () => {
    const notifier = new MemoryNotifier();
    const { log, lines } = capturingLogger();
    const fanout = new ApprovalFanout({ notifier, conversations: conversations({}), log });
    await expect(fanout.tellRequester(subject, card([]))).resolves.toBe(true);
    expect(notifier.toUsers.map((s) => s.aadObjectId)).toEqual(['req']);
    notifier.throwsFor.add('req');
    await expect(fanout.tellRequester(subject, card([]))).resolves.toBe(false);
    expect(lines.map((l) => l.msg)).toEqual(['could not tell the requester', 'requester not reachable for the outcome']);
  });
});
