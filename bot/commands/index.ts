import type { AnyCommand } from './defineCommand';
import { help } from './help.command';
import { whoami } from './whoami.command';
import { realm } from './realm.command';
import { whois } from './whois.command';
import { invite } from './invite.command';
import { resend } from './resend.command';
import { apps } from './apps.command';
import { revoke } from './revoke.command';
import { request } from './request.command';
import { requests } from './requests.command';
import { pending } from './pending.command';
import { signin } from './signin.command';
import { convert } from './convert.command';
import { mark } from './mark.command';
import { expiring } from './expiring.command';
import { shorten } from './shorten.command';
import { history } from './history.command';
import { audit } from './audit.command';
import { partners } from './partners.command';
import { doctor } from './doctor.command';
import { stale } from './stale.command';

/** The registry: drives the router, the help card, the manifest's command list and the docs. Order is the help order. */
export const commands: readonly AnyCommand[] = [whoami, whois, realm, invite, resend, apps, request, requests, pending, revoke, signin, convert, mark, history, audit, partners, expiring, shorten, doctor, stale, help];
