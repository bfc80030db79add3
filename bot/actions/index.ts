import type { AnyCardAction } from './defineAction';
import { accessApprove } from './access.approve.action';
import { accessCancel } from './access.cancel.action';
import { accessDeny } from './access.deny.action';
import { accessRefresh } from './access.refresh.action';
import { accessRequest } from './access.request.action';
import { accessSubmit } from './access.submit.action';
import { accessWithdraw } from './access.withdraw.action';
import { revokeCancel } from './revoke.cancel.action';
import { revokeConfirm } from './revoke.confirm.action';
import { revokePrepare } from './revoke.prepare.action';
import { rolesRefresh } from './roles.refresh.action';
import { realmCheck } from './realm.check.action';
import { userShow } from './user.show.action';
import { inviteApprove } from './invite.approve.action';
import { inviteCancel } from './invite.cancel.action';
import { inviteDeny } from './invite.deny.action';
import { inviteRefresh } from './invite.refresh.action';
import { inviteResend } from './invite.resend.action';
import { inviteSubmit } from './invite.submit.action';
import { bulkApprove } from './bulk.approve.action';
import { bulkCancel } from './bulk.cancel.action';
import { bulkResults } from './bulk.results.action';
import { bulkStart } from './bulk.start.action';
import { partnersPage } from './partners.page.action';

/** Every Action.Execute verb the bot handles; a test checks each has a template that uses it and vice versa. */
export const actions: readonly AnyCardAction[] = [rolesRefresh, userShow, realmCheck, inviteSubmit, inviteCancel, inviteApprove, inviteDeny, inviteRefresh, inviteResend, bulkStart, bulkApprove, bulkCancel, bulkResults, revokePrepare, revokeConfirm, revokeCancel, accessRequest, accessSubmit, accessApprove, accessDeny, accessRefresh, accessWithdraw, accessCancel, partnersPage];
