import { randomUUID } from 'node:crypto';
import type { ExistingUser, InvitationRequest, InvitationResponse } from '../../bot/graph/graphInvitations';
import type { InvitationDirectory } from '../../bot/services/invitations';

/** Guests kept in memory: invite creates one (or returns the existing one), as POST /invitations does. */
export class InMemoryInvitationDirectory implements InvitationDirectory {
  readonly users: ExistingUser[] = [];
  readonly invitations: InvitationRequest[] = [];
  readonly groupAdds: { groupId: string; objectId: string }[] = [];

  constructor(readonly adminIds: string[] = []) {}

  async findByEmail(email: string): Promise<ExistingUser[]> {
    return this.users.filter((u) => (u.mail ?? '').toLowerCase() === email.toLowerCase());
  }

  async invite(request: InvitationRequest): Promise<InvitationResponse> {
    this.invitations.push(request);
    let user = this.users.find((u) => (u.mail ?? '').toLowerCase() === request.email.toLowerCase());
    if (!user) {
      user = {
        id: randomUUID(),
        displayName: request.displayName ?? request.email,
        userPrincipalName: `${request.email.replace('@', '_')}#EXT#@contoso.onmicrosoft.com`,
        mail: request.email,
        userType: 'Guest',
        creationType: 'Invitation',
        externalUserState: 'PendingAcceptance',
        externalUserStateChangeDateTime: new Date().toISOString(),
      };
      this.users.push(user);
    }
    return { id: randomUUID(), status: 'PendingAcceptance', inviteRedeemUrl: `https://login.microsoftonline.com/redeem?rd=${user.id}`, invitedUser: { id: user.id } };
  }

  async addToGroup(groupId: string, objectId: string): Promise<'added' | 'already'> {
    const already = this.groupAdds.some((a) => a.groupId === groupId && a.objectId === objectId);
    if (!already) this.groupAdds.push({ groupId, objectId });
    return already ? 'already' : 'added';
  }

  async transitiveUserMemberIds(): Promise<string[]> {
    return this.adminIds;
  }
}
