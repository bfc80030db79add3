import { GraphError } from '@microsoft/microsoft-graph-client';
import { classifyInvitationRefusal } from '../../bot/graph/graphInvitations';
import type { PolicyVerdict } from '../../bot/graph/b2bPolicy';

function graphError(status: number, code: string, message: string): GraphError {
  const error = new GraphError(status, message);
  error.code = code;
  return error;
}

const CROSS_TENANT =
  "This invitation is blocked by cross-tenant access settings. Admins in both your organization and the invited user's organization must configure cross-tenant access settings to allow the invitation.";
const CROSS_CLOUD =
  "This action can't be completed because the Microsoft B2B Cross Cloud Worker application has been disabled in the invited user's tenant. Ask the invited user's admin to re-enable it, then try again.";
const LISTED: PolicyVerdict = { kind: 'refused', listed: 'mailinator.com' };
const ALLOWED: PolicyVerdict = { kind: 'allowed' };

describe('POST /invitations refusals are classified by what Microsoft documents, not by the sandbox wording', () => {
  // Microsoft documents the cross-tenant sentence but not its status or code: both readings classify the same.
  it.each([
    [400, 'BadRequest'],
    [403, 'Forbidden'],
    [403, 'Authorization_RequestDenied'],
  ])('the documented cross-tenant sentence with %i %s is a policy refusal, with Graph message as it came', (status, code) => {
    expect(classifyInvitationRefusal(graphError(status, code, CROSS_TENANT), ALLOWED)).toEqual({ kind: 'policy', message: CROSS_TENANT });
    expect(classifyInvitationRefusal(graphError(status, code, CROSS_CLOUD))).toEqual({ kind: 'policy', message: CROSS_CLOUD });
  });

  // Entra documents that its allow/block list refuses the domain, not the status, code or words of the refusal.
  it.each([
    [400, 'BadRequest', "Can't process the request because it's malformed or incorrect."],
    [400, 'BadRequest', 'Invitations to users from mailinator.com are not permitted.'],
    [403, 'Forbidden', 'Access is denied to the requested resource.'],
  ])('%i %s "%s" for a domain the tenant list refuses is a policy refusal whatever the message', (status, code, message) => {
    expect(classifyInvitationRefusal(graphError(status, code, message), LISTED)).toEqual({ kind: 'policy', message });
  });

  it('the same status and code for a domain the tenant list allows stays invalid (400) or forbidden (403)', () => {
    expect(classifyInvitationRefusal(graphError(400, 'BadRequest', 'Invitations to users from mailinator.com are not permitted.'), ALLOWED)).toMatchObject({ kind: 'invalid' });
    expect(classifyInvitationRefusal(graphError(400, 'BadRequest', 'The specified email address is invalid.'), { kind: 'uncertain', why: 'unreadable' })).toMatchObject({ kind: 'invalid' });
    expect(classifyInvitationRefusal(graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'), ALLOWED)).toMatchObject({ kind: 'forbidden' });
  });

  it('a missing permission (403 Authorization_RequestDenied) stays forbidden even for a listed domain', () => {
    expect(classifyInvitationRefusal(graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'), LISTED)).toMatchObject({ kind: 'forbidden' });
  });

  it('a message that only sounds like a policy is not one: the old sandbox keywords no longer decide', () => {
    expect(classifyInvitationRefusal(graphError(400, 'BadRequest', 'Invalid value for property inviteRedirectUrl: not allowed.'), ALLOWED)).toMatchObject({ kind: 'invalid' });
  });

  it('keeps the abuse block, the conflict code and leaves throttling to the caller', () => {
    const abuse = 'Invitations are blocked for this directory due to suspicious activity. Please contact Microsoft support for help.';
    expect(classifyInvitationRefusal(graphError(403, 'Forbidden', abuse), LISTED)).toEqual({ kind: 'abuse', message: abuse });
    expect(classifyInvitationRefusal(graphError(400, 'Request_MultipleObjectsWithSameKeyValue', 'Another object with the same value for property proxyAddresses already exists.'), LISTED)).toMatchObject({ kind: 'conflict' });
    expect(classifyInvitationRefusal(graphError(429, 'TooManyRequests', 'Too many requests'), LISTED)).toBeUndefined();
    expect(classifyInvitationRefusal(graphError(503, 'serviceNotAvailable', 'Service unavailable'), LISTED)).toBeUndefined();
  });
});
