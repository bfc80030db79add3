import bulkRunTemplate from './bulkRun.card.json';
import helpTemplate from './help.card.json';
import inviteApprovalTemplate from './inviteApproval.card.json';
import inviteConfirmTemplate from './inviteConfirm.card.json';
import inviteOutcomeTemplate from './inviteOutcome.card.json';
import noticeTemplate from './notice.card.json';
import whoamiTemplate from './whoami.card.json';
import { bulkRun } from './bulkRun';
import { help } from './help';
import { inviteApproval } from './inviteApproval';
import { inviteConfirm } from './inviteConfirm';
import { inviteOutcome } from './inviteOutcome';
import { notice } from './notice';
import { whoami } from './whoami';
import appsTemplate from './apps.card.json';
import { apps } from './apps';
import realmTemplate from './realm.card.json';
import userPickerTemplate from './userPicker.card.json';
import userSummaryTemplate from './userSummary.card.json';
import { realm } from './realm';
import { userPicker } from './userPicker';
import { userSummary } from './userSummary';
import type { CardTemplate } from './render';

/** Every card the bot sends. Handlers call these; they never build card JSON themselves. */
export const cards = { apps, bulkRun, help, inviteApproval, inviteConfirm, inviteOutcome, notice, whoami, realm, userPicker, userSummary };

/** Every template, by name, for the tests that validate schemas, sizes and verbs. */
export const templates: Record<string, CardTemplate> = {
  apps: appsTemplate,
  bulkRun: bulkRunTemplate,
  help: helpTemplate,
  inviteApproval: inviteApprovalTemplate,
  inviteConfirm: inviteConfirmTemplate,
  inviteOutcome: inviteOutcomeTemplate,
  notice: noticeTemplate,
  whoami: whoamiTemplate,
  realm: realmTemplate,
  userPicker: userPickerTemplate,
  userSummary: userSummaryTemplate,
};
