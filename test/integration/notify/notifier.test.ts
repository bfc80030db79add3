import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type ConversationReference } from 'botbuilder';
import { BotConnectorNotifier, retryAfterMs } from '../../../bot/notify/notifier';
import { ConversationPacer } from '../../../bot/notify/pacing';
import { createLogger } from '../../../bot/logger';
import { openStore, type Store } from '../../../bot/store';
import type { OutgoingMessage } from '../../../bot/services/ports';
import { ConnectorStandIn } from '../../helpers/connector';

const card = (text: string): OutgoingMessage => ({
  card: { contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text }] } },
  text,
});

describe('BotConnectorNotifier against a connector that fails like Teams', () => {
  let connector: ConnectorStandIn;
  let store: Store;
  let dir: string;
  let adapter: CloudAdapter;
  let turnErrors: unknown[];

  const referenceFor = (conversationId: string): Partial<ConversationReference> => ({
    channelId: 'msteams',
    serviceUrl: connector.serviceUrl,
    conversation: { id: conversationId, conversationType: 'personal', isGroup: false, name: '' },
    bot: { id: '28:bot', name: 'bot' },
    user: { id: `29:${conversationId}`, name: 'user' },
  });

  // Its own pacer with a fast window, so these tests do not wait on Teams' real limits (teamsPacing proves those).
  const notifier = (): BotConnectorNotifier =>
    new BotConnectorNotifier(adapter, '', store.conversations, createLogger('silent'), {
      baseDelayMs: 20,
      pacer: new ConversationPacer({ limits: [{ count: 50, windowMs: 100 }], marginMs: 0 }),
    });

  beforeEach(async () => {
    connector = await new ConnectorStandIn().start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pab-notify-'));
    store = await openStore({ dataDir: dir });
    adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
    turnErrors = [];
    adapter.onTurnError = async (_context, error) => {
      turnErrors.push(error);
    };
  });

  afterEach(async () => {
    await connector.stop();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the activity id that sending returns and updates that message in place', async () => {
    const sent = await notifier().sendToConversation(referenceFor('c1'), card('0 of 5'));
    expect(sent.activityId).toBe('msg-1');
    const landed = await notifier().update(sent, card('5 of 5'));
    expect(landed.activityId).toBe('msg-1');
    expect(connector.calls.map((c) => c.method)).toEqual(['POST', 'PUT']);
    expect(connector.calls[1]?.activityId).toBe('msg-1');
  });

  it('sends the state as a new message when the channel gave no id, never PUTting to an empty id', async () => {
    connector.returnIds = false;
    const sent = await notifier().sendToConversation(referenceFor('c1'), card('0 of 5'));
    expect(sent.activityId).toBe('');
    const landed = await notifier().update(sent, card('5 of 5'));
    expect(connector.calls.map((c) => c.method)).toEqual(['POST', 'POST']);
    expect(JSON.stringify(connector.calls[1]?.activity)).toContain('5 of 5');
    expect(landed.reference).toBe(sent.reference);
    expect(connector.refused).toEqual([]);
    expect(turnErrors).toEqual([]);
  });

  it.each([404, 400, 403])('falls back to a new message when an update fails with %i, and says where it landed', async (status) => {
    const sent = await notifier().sendToConversation(referenceFor('c1'), card('granting…'));
    connector.failNext({ status, method: 'PUT' });
    const landed = await notifier().update(sent, card('granted'));
    expect(landed.activityId).toBe('msg-2');
    expect(connector.refused.map((r) => r.status)).toEqual([status]);
    expect(connector.calls.map((c) => c.method)).toEqual(['POST', 'POST']);
    expect(JSON.stringify(connector.calls[1]?.activity)).toContain('granted');
    // The next update goes to the new message.
    await notifier().update(landed, card('granted, and then revoked'));
    expect(connector.calls[2]).toMatchObject({ method: 'PUT', activityId: 'msg-2' });
    expect(turnErrors).toEqual([]);
  });

  it('retries 412, 502 and 504 without posting twice', async () => {
    connector.failNext({ status: 412, method: 'POST' });
    connector.failNext({ status: 502, method: 'POST' });
    connector.failNext({ status: 504, method: 'POST' });
    const sent = await notifier().sendToConversation(referenceFor('c1'), card('hello'));
    expect(connector.refused.map((r) => r.status)).toEqual([412, 502, 504]);
    expect(connector.calls).toHaveLength(1);
    expect(sent.activityId).toBe('msg-1');
    expect(turnErrors).toEqual([]);
  });

  it('honours a fractional Retry-After on 429 before retrying', async () => {
    connector.failNext({ status: 429, method: 'POST', retryAfter: '0.4' });
    await notifier().sendToConversation(referenceFor('c1'), card('hello'));
    const refusedAt = connector.refused[0]?.at ?? 0;
    const deliveredAt = connector.calls[0]?.at ?? 0;
    expect(connector.calls).toHaveLength(1);
    expect(deliveredAt - refusedAt).toBeGreaterThanOrEqual(390);
  });

  it('rejects a message over 100 KB with 413, without retrying it', async () => {
    const huge = card('x'.repeat(110 * 1024));
    await expect(notifier().sendToConversation(referenceFor('c1'), huge)).rejects.toMatchObject({ statusCode: 413 });
    expect(connector.refused.map((r) => r.status)).toEqual([413]);
    expect(turnErrors).toEqual([]);
  });

  it.each([403, 404] as const)('drops the stored conversation when the app was removed for the user (%i) and reports them unreachable', async (status) => {
    await store.conversations.save('user-1', referenceFor('c-user-1'));
    connector.removeApp('c-user-1', status);
    await expect(notifier().sendToUser('USER-1', card('your access was granted'))).resolves.toBeUndefined();
    expect(await store.conversations.get('user-1')).toBeUndefined();
    expect(connector.refused).toHaveLength(1);
    // Nothing left to try: the next notice does not reach the connector at all.
    await expect(notifier().sendToUser('user-1', card('again'))).resolves.toBeUndefined();
    expect(connector.refused).toHaveLength(1);
  });

  it('rejects, and never raises a turn error, when neither the update nor the new message can be sent', async () => {
    const sent = await notifier().sendToConversation(referenceFor('c1'), card('working…'));
    connector.removeApp('c1', 403);
    await expect(notifier().update(sent, card('done'))).rejects.toMatchObject({ statusCode: 403 });
    expect(turnErrors).toEqual([]);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds, fractional seconds and HTTP dates', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('2.128')).toBe(2128);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
