import type { ProxyApp, SsoKind } from '../bot/services/appAccess';
import template from './apps.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

const SSO: Record<SsoKind, { label: string; color: string }> = {
  saml: { label: 'Single sign-on: SAML', color: 'default' },
  kerberos: { label: 'Single sign-on: Kerberos (KCD), needs a shadow account in on-prem AD', color: 'accent' },
  headerBased: { label: 'Single sign-on: header-based', color: 'default' },
  none: { label: 'Single sign-on: none (the app asks for its own sign-in)', color: 'default' },
};

/** Teams refuses cards over 28 KB; 30 apps with long role lists stay well under it. */
const MAX_APPS_SHOWN = 30;

/** The App Proxy apps: name, SSO kind in colour and words, external URL and roles, each with a Request access button. */
export function apps(list: ProxyApp[]) {
  return renderCard(template, {
    title: plainLine(list.length === 1 ? '1 app published through application proxy' : `${list.length} apps published through application proxy`, 200),
    empty: list.length === 0,
    more: plain(
      list.length > MAX_APPS_SHOWN
        ? `${list.length - MAX_APPS_SHOWN} more are not shown, to keep the card within Teams' size limit. Ask for one by name: request <app> for <email>.`
        : '',
      300,
    ),
    apps: list.slice(0, MAX_APPS_SHOWN).map((a) => ({
      servicePrincipalId: a.servicePrincipalId,
      name: plainLine(a.displayName, 200),
      sso: a.publishingUnreadable ? plain(`Single sign-on: unknown. ${a.publishingUnreadable}`, 600) : SSO[a.ssoKind].label,
      ssoColor: a.publishingUnreadable ? 'attention' : SSO[a.ssoKind].color,
      url: plainLine(a.externalUrl ?? 'not published', 300),
      roles: plain(a.roles.length === 0 ? 'Default access (the app declares no roles)' : a.roles.map((r) => r.displayName).join(', '), 600),
    })),
  });
}
