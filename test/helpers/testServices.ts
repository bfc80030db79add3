import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConversationReference } from 'botbuilder';
import { RoleResolver, type GroupMembershipReader } from '../../bot/identity/roles';
import { JobQueue, Jobs } from '../../bot/jobs';
import type { Notifier, OutgoingMessage, SentMessage } from '../../bot/notify/notifier';
import type { Services } from '../../bot/services';
import { openStore, type Store } from '../../bot/store';

/** Records proactive messages instead of sending them. */
export class InMemoryNotifier implements Notifier {
  readonly sent: { to: string; message: OutgoingMessage; activityId: string }[] = [];
  readonly updates: { activityId: string; message: OutgoingMessage }[] = [];
  private next = 1;

  async sendToUser(aadObjectId: string, message: OutgoingMessage): Promise<SentMessage | undefined> {
    return this.sendToConversation({ conversation: { id: `personal:${aadObjectId}` } as ConversationReference['conversation'] }, message);
  }

  async sendToConversation(reference: Partial<ConversationReference>, message: OutgoingMessage): Promise<SentMessage> {
    const activityId = `proactive-${this.next++}`;
    this.sent.push({ to: reference.conversation?.id ?? '', message, activityId });
    return { reference, activityId };
  }

  async update(sent: SentMessage, message: OutgoingMessage): Promise<void> {
    this.updates.push({ activityId: sent.activityId, message });
  }
}

export class InMemoryGroupMembership implements GroupMembershipReader {
  constructor(private readonly memberships: Record<string, string[]> = {}) {}
  async checkMemberGroups(userObjectId: string, groupIds: string[]): Promise<string[]> {
    return (this.memberships[userObjectId] ?? []).filter((g) => groupIds.includes(g));
  }
}

export interface TestServices extends Services {
  notifier: InMemoryNotifier;
  dispose(): Promise<void>;
}

/** Services over a fresh SQLite store in a temp dir, for command and action tests that need no Graph. */
export async function testServices(memberships: Record<string, string[]> = {}): Promise<TestServices> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pab-services-'));
  const store: Store = await openStore({ dataDir: dir });
  return {
    store,
    roles: new RoleResolver(new InMemoryGroupMembership(memberships), { adminGroupId: 'admins', managerGroupId: 'managers' }, 60_000),
    jobs: new Jobs(new JobQueue(store.db)),
    notifier: new InMemoryNotifier(),
    async dispose() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
