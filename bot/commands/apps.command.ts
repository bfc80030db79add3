import { z } from 'zod';
import { cards } from '../../cards';
import { defineCommand } from './defineCommand';

export const apps = defineCommand({
  name: 'apps',
  aliases: ['applications'],
  summary: 'List the on-prem apps published through application proxy: external URL, single sign-on kind and roles',
  usage: 'apps',
  args: z.object({ args: z.array(z.string()).max(0, 'apps takes no arguments.') }),
  permission: 'partnerManagers',
  sideEffect: 'none',
  examples: ['apps'],
  description:
    'the on-prem apps published through application proxy (service principals tagged `WindowsAzureActiveDirectoryOnPremApp`): external URL, single sign-on kind (SAML, Kerberos/KCD, header-based or none, from the beta `onPremisesPublishing` settings and `preferredSingleSignOnMode`) in colour and words, and the app roles. One Graph call for the service principals plus one beta call per app.',
  async run({ services }) {
    const list = await services.appAccess.listApps();
    return { card: cards.apps(list), text: `${list.length} on-prem apps` };
  },
});
