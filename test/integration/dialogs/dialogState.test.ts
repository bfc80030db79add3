import type { Storage, StoreItems } from 'botbuilder';
import { openStore, type Store } from '../../../bot/store';
import type { Understanding } from '../../../dialogs/understanding';
import { button, DialogTestClient } from '../../helpers/dialogClient';
import { APPS, dialogServices, MANAGER } from '../../helpers/dialogFixture';
import { describeOnEachBackend } from '../../helpers/storeBackends';
import type { TestServices } from '../../helpers/testServices';

const WIKI_FOR_RAJ: Understanding = { intent: 'request', emails: ['raj@woodgrove.test'], refusedAddresses: [], conflicts: [], appPhrase: 'expense' };
const grammar = { understand: () => WIKI_FOR_RAJ, mayUnderstand: () => true };

/** A Storage whose writes wait until released: the turn that owns it reads, then stalls before it saves. */
class HeldStorage implements Storage {
  private release: () => void = () => undefined;
  readonly held = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  writeStarted = false;
  constructor(private readonly inner: Storage) {}
  read(keys: string[]): Promise<StoreItems> {
    return this.inner.read(keys);
  }
  async write(changes: StoreItems): Promise<void> {
    this.writeStarted = true;
    await this.held;
    return this.inner.write(changes);
  }
  delete(keys: string[]): Promise<void> {
    return this.inner.delete(keys);
  }
  go(): void {
    this.release();
  }
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error('condition never held');
}

describeOnEachBackend('conversation state in the store', (backend) => {
  let services: TestServices;
  const stores: Store[] = [];
  const open = async (options: Awaited<ReturnType<typeof backend.freshOptions>>) => {
    const store = await openStore(options);
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    services = await dialogServices();
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    await services.dispose();
  });

  it('survives a restart: a new process on the same database continues the open question', async () => {
    const options = await backend.freshOptions();
    const first = await open(options);
    const before = new DialogTestClient(services, first.storage, { grammar });
    const asked = await before.say(MANAGER, 'raj needs expense');
    expect(asked.cardText).toMatch(/2 apps match "expense"/);
    await first.close();
    stores.splice(stores.indexOf(first), 1);

    const second = await open(options);
    const after = new DialogTestClient(services, second.storage, { grammar });
    // The card from before the restart still answers its question.
    const role = await after.click(MANAGER, button(asked, 'Contoso Expense Portal'));
    expect(role.cardText).toMatch(/Contoso Expense Portal has 2 roles/);
    const why = await after.say(MANAGER, 'User');
    expect(why.cardText).toMatch(/Why does Raj Patel need Contoso Expense Portal\?/);
    const form = await after.say(MANAGER, 'Quarter-end audit');
    expect(form.cardText).toMatch(/Request access to Contoso Expense Portal[\s\S]*Quarter-end audit/);
    expect(button(form, 'Send request').data.servicePrincipalId).toBe(APPS.expenses);
  });

  it('lets only one of two answers at the same moment move the conversation on (eTag): the other is told', async () => {
    const options = await backend.freshOptions();
    const shared = await open(options);
    const other = backend.multiInstance ? await open(options) : shared;
    const instanceA = new DialogTestClient(services, shared.storage, { grammar });
    const held = new HeldStorage(other.storage);
    const instanceB = new DialogTestClient(services, held, { grammar });
    const asked = await instanceA.say(MANAGER, 'raj needs expense');
    expect(asked.cardText).toMatch(/2 apps match/);

    const late = instanceB.say(MANAGER, '2');
    await until(() => held.writeStarted);
    const won = await instanceA.say(MANAGER, '1');
    expect(won.cardText).toMatch(/Contoso Expense Portal has 2 roles/);
    held.go();
    const lost = await late;
    expect(lost.cardText).toMatch(/Another message of yours was answered at the same moment[\s\S]*this answer was not taken/);

    // The winner's step stands: the conversation asks for the role of the app it chose.
    const next = await instanceA.say(MANAGER, 'Admin');
    expect(next.cardText).toMatch(/Why does Raj Patel need Contoso Expense Portal\?/);
  });

  it('drops a conversation left for DIALOG_IDLE_MINUTES, and the next message says what was dropped', async () => {
    const store = await open(await backend.freshOptions());
    let now = new Date('2026-12-02T10:00:00Z');
    const client = new DialogTestClient(services, store.storage, { grammar, now: () => now, idleMinutes: 30 });
    const asked = await client.say(MANAGER, 'raj needs expense');
    expect(asked.cardText).toMatch(/2 apps match/);

    now = new Date(now.getTime() + 29 * 60_000);
    expect((await client.say(MANAGER, 'Expense Archive')).cardText).toMatch(/Why does Raj Patel need Expense Archive\?/);

    now = new Date(now.getTime() + 31 * 60_000);
    const later = await client.say(MANAGER, 'whoami');
    expect(later.text).toMatch(/^I dropped your access request for Expense Archive for Raj Patel: it waited for an answer for more than 30 minutes\. Nothing was sent\./);
    expect(later.cardText).toMatch(/Max Manager/);
    expect((await client.say(MANAGER, 'cancel')).cardText).toMatch(/There is nothing to cancel/);
  });

  it('tells a click on a dropped conversation that its question is closed', async () => {
    const store = await open(await backend.freshOptions());
    let now = new Date('2026-12-02T10:00:00Z');
    const client = new DialogTestClient(services, store.storage, { grammar, now: () => now });
    const asked = await client.say(MANAGER, 'raj needs expense');
    now = new Date(now.getTime() + 31 * 60_000);
    const clicked = await client.click(MANAGER, button(asked, 'Expense Archive'));
    expect(clicked.cardText).toMatch(/This question is closed[\s\S]*I dropped your access request for "expense" for Raj Patel: it waited/);
  });

  it('refuses a click on an earlier question, and a button value it never offered', async () => {
    const store = await open(await backend.freshOptions());
    const client = new DialogTestClient(services, store.storage, { grammar });
    const apps = await client.say(MANAGER, 'raj needs expense');
    const roles = await client.say(MANAGER, 'Contoso Expense Portal');
    expect(roles.cardText).toMatch(/has 2 roles/);
    const stale = await client.click(MANAGER, button(apps, 'Expense Archive'));
    expect(stale.cardText).toMatch(/That card is an earlier question, already answered/);
    const user = button(roles, 'User');
    const forged = await client.click(MANAGER, { ...user, data: { ...user.data, answer: 'f3000000-0000-4000-8000-00000000dead' } });
    expect(forged.cardText).toMatch(/That button was not one of the choices I offered/);
    const notData = await client.click(MANAGER, { ...user, data: { questionId: 42 } });
    expect(notData.cardText).toMatch(/This card is out of date or was changed/);
    expect((await client.click(MANAGER, user)).cardText).toMatch(/Why does Raj Patel need Contoso Expense Portal\?/);
  });
});
