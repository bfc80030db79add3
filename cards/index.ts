import bulkRunTemplate from './bulkRun.card.json';
import confirmTemplate from './confirm.card.json';
import { confirm } from './confirm';
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
import accessEndedTemplate from './accessEnded.card.json';
import revokeConfirmTemplate from './revokeConfirm.card.json';
import revokePickerTemplate from './revokePicker.card.json';
import { accessEnded } from './accessEnded';
import { revokeConfirm } from './revokeConfirm';
import { revokePicker } from './revokePicker';
import accessApprovalTemplate from './accessApproval.card.json';
import accessPickTemplate from './accessPick.card.json';
import accessRequestFormTemplate from './accessRequestForm.card.json';
import accessRequestListTemplate from './accessRequestList.card.json';
import accessRequestStatusTemplate from './accessRequestStatus.card.json';
import { accessApproval } from './accessApproval';
import { accessPick } from './accessPick';
import { accessRequestForm } from './accessRequestForm';
import { accessRequestList } from './accessRequestList';
import { accessRequestStatus } from './accessRequestStatus';
import checklistTemplate from './checklist.card.json';
import { checklist } from './checklist';
import identityStepTemplate from './identityStep.card.json';
import { identityStep } from './identityStep';
import grantExtendTemplate from './grantExtend.card.json';
import grantListTemplate from './grantList.card.json';
import grantNoticeTemplate from './grantNotice.card.json';
import { grantExtend } from './grantExtend';
import { grantList } from './grantList';
import { grantNotice } from './grantNotice';
import accessReminderTemplate from './accessReminder.card.json';
import { accessReminder } from './accessReminder';
import auditExportTemplate from './auditExport.card.json';
import auditTimelineTemplate from './auditTimeline.card.json';
import { auditExport } from './auditExport';
import { auditTimeline } from './auditTimeline';
import partnersTemplate from './partners.card.json';
import partnerDetailTemplate from './partnerDetail.card.json';
import { partners } from './partners';
import staleGuestsTemplate from './staleGuests.card.json';
import { staleGuests } from './staleGuests';
import { partnerDetail } from './partnerDetail';
import dialogQuestionTemplate from './dialogQuestion.card.json';
import { dialogQuestion } from './dialogQuestion';
import doctorTemplate from './doctor.card.json';
import { doctor } from './doctor';
import doctorAskTemplate from './doctorAsk.card.json';
import { doctorAsk } from './doctorAsk';
import accessForwardTemplate from './accessForward.card.json';
import { accessForward } from './accessForward';
import type { CardTemplate } from './render';

/** Every card the bot sends. Handlers call these; they never build card JSON themselves. */
export const cards = { apps, bulkRun, confirm, help, inviteApproval, inviteConfirm, inviteOutcome, notice, whoami, realm, userPicker, userSummary, accessEnded, revokeConfirm, revokePicker, accessApproval, accessPick, accessRequestForm, accessRequestList, accessRequestStatus, checklist, identityStep, auditTimeline, auditExport, partners, partnerDetail, accessReminder, grantExtend, grantList, grantNotice, dialogQuestion, doctor, doctorAsk, accessForward, staleGuests };

/** Every template, by name, for the tests that validate schemas, sizes and verbs. */
export const templates: Record<string, CardTemplate> = {
  doctor: doctorTemplate,
  doctorAsk: doctorAskTemplate,
  checklist: checklistTemplate,
  identityStep: identityStepTemplate,
  accessEnded: accessEndedTemplate,
  revokeConfirm: revokeConfirmTemplate,
  revokePicker: revokePickerTemplate,
  apps: appsTemplate,
  bulkRun: bulkRunTemplate,
  confirm: confirmTemplate,
  help: helpTemplate,
  inviteApproval: inviteApprovalTemplate,
  inviteConfirm: inviteConfirmTemplate,
  inviteOutcome: inviteOutcomeTemplate,
  notice: noticeTemplate,
  whoami: whoamiTemplate,
  realm: realmTemplate,
  userPicker: userPickerTemplate,
  userSummary: userSummaryTemplate,
  accessApproval: accessApprovalTemplate,
  accessPick: accessPickTemplate,
  accessRequestForm: accessRequestFormTemplate,
  accessRequestList: accessRequestListTemplate,
  accessRequestStatus: accessRequestStatusTemplate,
  auditTimeline: auditTimelineTemplate,
  auditExport: auditExportTemplate,
  partners: partnersTemplate,
  partnerDetail: partnerDetailTemplate,
  accessReminder: accessReminderTemplate,
  grantExtend: grantExtendTemplate,
  grantList: grantListTemplate,
  grantNotice: grantNoticeTemplate,
  dialogQuestion: dialogQuestionTemplate,
  accessForward: accessForwardTemplate,
  staleGuests: staleGuestsTemplate,
};
