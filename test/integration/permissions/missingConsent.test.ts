import { README_PERMISSIONS } from '../../../sandbox/graph/permissions';
import type { GrantablePermission, RunningSandbox } from '../../../sandbox/server';
import { cardOf, cardText, executeActions, executeData, startBotOn, waitFor, type InvokeResult, type TestBot, type TestUser } from '../../helpers/bot';
import { startTestSandbox } from '../../helpers/sandbox';

const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const ALL_PARTNERS = '9a000000-0000-4000-8000-000000000004';

type Permission = (typeof README_PERMISSIONS)[number];

/**
 * A permission of the table that Graph accepts in place of another (the API pages list it as higher privileged): with it
 * still granted, withdrawing the lesser one changes nothing. Each case withdraws those too, as an admin who never
 * granted the lesser permission would not have granted the greater one.
 */
const ALSO_GRANTS: Partial<Record<Permission, Permission[]>> = {
  'User.Read.All': ['User.ReadWrite.All'],
  'GroupMember.Read.All': ['GroupMember.ReadWrite.All'],
  'User.Invite.All': ['User.ReadWrite.All'],
};

interface Bot {
  say(user: TestUser, text: string): Promise<string>;
  click(user: TestUser, verb: string, data: Record<string, unknown>): Promise<string>;
  /** Sends a command and clicks the button of its confirmation card whose title matches. */
  confirm(user: TestUser, text: string, button: RegExp): Promise<string>;
  /** Starts the invite form and sends it; returns the outcome card's text. */
  invite(address: string, inputs?: Record<string, unknown>): Promise<string>;
}

interface Case {
  missing: Permission;
  /** The commands that need it say which feature is unavailable and which permission to grant. */
  refused: (bot: Bot) => Promise<void>;
  /** A command that does not need it still works; absent where every command needs it (the role check). */
  stillWorks?: (bot: Bot) => Promise<void>;
}

const whoisWorks = async (bot: Bot): Promise<void> => {
  const text = await bot.say(MANAGER, 'whois alice@fabrikam.com');
  expect(text).toContain('Alice Smith');
  expect(text).not.toMatch(/unavailable|lacks/i);
};

const whoamiWorks = async (bot: Bot): Promise<void> => {
  expect(await bot.say(ADMIN, 'whoami')).toContain('Adele Vance');
};

/** The permission-denied card: the feature, the permission and that an admin must grant it. */
function expectMissing(text: string, permission: string, feature: RegExp): void {
  expect(text).toContain(`unavailable until an admin grants`);
  expect(text).toContain(permission);
  expect(text).toMatch(feature);
  // Cards escape Markdown: the underscore arrives as \_.
  expect(text).toMatch(/403 Authorization\\?_RequestDenied/);
}

const CASES: Case[] = [
  {
    missing: 'Policy.Read.All',
    // Only the doctor's Conditional Access row needs it: amber with the permission named, the rest of the card still there.
    refused: async (bot) => {
      const text = await bot.say(MANAGER, 'doctor alice@fabrikam.com');
      expect(text).toMatch(/Check this: Conditional Access\n[^\n]*it lacks Policy\.Read\.All/);
      expect(text).toContain('Fine: Account exists, enabled, UserType');
    },
    stillWorks: whoisWorks,
  },
  {
    missing: 'User.Read.All',
    refused: async (bot) => {
      expectMissing(await bot.say(ADMIN, 'whoami'), 'User.Read.All and GroupMember.Read.All', /Every command/);
      expectMissing(await bot.say(MANAGER, 'whois alice@fabrikam.com'), 'User.Read.All', /Every command/);
    },
  },
  {
    missing: 'GroupMember.Read.All',
    refused: async (bot) => {
      expectMissing(await bot.say(MANAGER, 'apps'), 'GroupMember.Read.All', /Every command/);
    },
  },
  {
    missing: 'AuditLog.Read.All',
    refused: async (bot) => {
      const text = await bot.say(MANAGER, 'whois alice@fabrikam.com');
      expect(text).toContain('Alice Smith');
      expect(text).toContain('the bot lacks the AuditLog.Read.All permission');
    },
    stillWorks: whoamiWorks,
  },
  {
    missing: 'Domain.Read.All',
    refused: async (bot) => {
      const text = await bot.say(ADMIN, 'realm alice@fabrikam.com');
      expect(text).toContain('Domain.Read.All');
    },
    stillWorks: whoisWorks,
  },
  {
    missing: 'User.Invite.All',
    refused: async (bot) => {
      const text = await bot.invite('uma@fabrikam.com');
      expect(text).toContain('Insufficient privileges');
      expect(text).toContain('lacks the application permission User.Invite.All');
      expect(text).not.toContain('is invited');
    },
    stillWorks: whoisWorks,
  },
  {
    missing: 'Policy.Read.B2BManagementPolicy',
    refused: async (bot) => {
      expect(await bot.say(ADMIN, 'invite ivy@fabrikam.com')).toContain('The tenant may still refuse');
    },
    stillWorks: async (bot) => {
      expect(await bot.invite('ines@fabrikam.com')).toContain('ines@fabrikam.com is invited');
    },
  },
  {
    missing: 'GroupMember.ReadWrite.All',
    refused: async (bot) => {
      const text = await bot.invite('gil@fabrikam.com', { groups: ALL_PARTNERS });
      expect(text).toContain('gil@fabrikam.com is invited');
      expect(text).toContain('GroupMember.ReadWrite.All');
    },
    stillWorks: async (bot) => {
      expect(await bot.invite('gina@fabrikam.com')).toContain('gina@fabrikam.com is invited');
    },
  },
  {
    missing: 'User.ReadWrite.All',
    refused: async (bot) => {
      // Alice accepted long ago: sending again resets her redemption, which needs User.ReadWrite.All.
      const text = await bot.confirm(ADMIN, 'resend alice@fabrikam.com', /Reset redemption/);
      expect(text).toContain('refused to resend');
      expect(text).toContain('User.ReadWrite.All to reset the redemption');
    },
    stillWorks: async (bot) => {
      expect(await bot.invite('ulla@fabrikam.com')).toContain('ulla@fabrikam.com is invited');
    },
  },
  {
    missing: 'Application.Read.All',
    refused: async (bot) => {
      expectMissing(await bot.say(MANAGER, 'apps'), 'Application.Read.All', /On-premises apps/);
    },
    stillWorks: whoisWorks,
  },
  {
    missing: 'AppRoleAssignment.ReadWrite.All',
    refused: async (bot) => {
      expectMissing(await bot.say(ADMIN, 'revoke expenses for alice@fabrikam.com'), 'AppRoleAssignment.ReadWrite.All', /Revoking app access/);
      const whois = await bot.say(MANAGER, 'whois alice@fabrikam.com');
      expect(whois).toContain('Alice Smith');
      expect(whois).toContain('may not read app assignments here (it needs Application.Read.All and AppRoleAssignment.ReadWrite.All)');
    },
    stillWorks: async (bot) => {
      expect(await bot.say(MANAGER, 'apps')).toContain('published through application proxy');
    },
  },
];

function textOf(result: InvokeResult): string {
  return typeof result.value === 'string' ? result.value : cardText(result.value);
}

describe('the bot with one consent of the README table missing', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('covers every permission of the table', () => {
    expect(CASES.map((c) => c.missing).sort()).toEqual([...README_PERMISSIONS].sort());
  });

  describe.each(CASES)('without $missing', ({ missing, refused, stillWorks }) => {
    let testBot: TestBot;
    let bot: Bot;

    beforeAll(async () => {
      const withdrawn = new Set<string>([missing, ...(ALSO_GRANTS[missing] ?? [])]);
      const granted: GrantablePermission[] = README_PERMISSIONS.filter((p) => !withdrawn.has(p));
      sandbox.setGrantedPermissions(granted);
      // A fresh bot asks for a fresh token, which carries the new grants as its roles.
      testBot = await startBotOn(sandbox);
      const say: Bot['say'] = async (user, text) => cardText(cardOf((await testBot.say(user, text))[0]));
      const click: Bot['click'] = async (user, verb, data) => textOf(await testBot.click(user, verb, data));
      bot = {
        say,
        click,
        async confirm(user, text, button) {
          const card = cardOf((await testBot.say(user, text))[0]);
          const found = executeActions(card).find((b) => button.test(b.title));
          if (!found) throw new Error(`no button ${String(button)} in: ${cardText(card)}`);
          return click(user, found.verb, found.data);
        },
        async invite(address, inputs = {}) {
          const [reply] = await testBot.say(ADMIN, `invite ${address}`);
          const data = executeData(cardOf(reply), 'invite.submit');
          if (!data) throw new Error(`no Send invitation button in: ${cardText(cardOf(reply))}`);
          const before = testBot.connector.calls.length;
          const clicked = await click(ADMIN, 'invite.submit', { ...data, ...inputs });
          if (!clicked.includes('Sending the invitation')) return clicked;
          // The invitation is sent by a durable job, which tells the admin the outcome in a message of its own.
          const outcome = await waitFor('the invitation outcome', () => testBot.connector.calls.slice(before).find((c) => c.method === 'POST'));
          return cardText(cardOf(outcome));
        },
      };
    });
    afterAll(async () => {
      await testBot?.close();
    });

    it('says which feature is unavailable and which permission an admin must grant', async () => {
      await refused(bot);
    });

    if (stillWorks) {
      it('keeps the features that do not need it working', async () => {
        await stillWorks(bot);
      });
    }
  });
});
