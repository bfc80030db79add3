import type { Assignment, Owner, ProxyApp } from '../../bot/graph/appProxy';
import type { AppDirectory } from '../../bot/services/appAccess';

/** Apps, owners and assignments in memory, for command tests that need no Graph. */
export class InMemoryAppDirectory implements AppDirectory {
  constructor(
    readonly apps: ProxyApp[] = [],
    readonly owners: Record<string, Owner[]> = {},
    readonly assignments: Assignment[] = [],
  ) {}
  async listApps(): Promise<ProxyApp[]> {
    return structuredClone(this.apps);
  }
  async getApp(servicePrincipalId: string): Promise<ProxyApp | undefined> {
    return structuredClone(this.apps.find((a) => a.servicePrincipalId === servicePrincipalId));
  }
  async listOwners(servicePrincipalId: string): Promise<Owner[]> {
    return structuredClone(this.owners[servicePrincipalId] ?? []);
  }
  async listUserAssignments(userObjectId: string): Promise<Assignment[]> {
    return this.assignments.filter((a) => a.principalId === userObjectId);
  }
  async assign(servicePrincipalId: string, principalId: string, appRoleId: string): Promise<{ assignment: Assignment; alreadyExisted: boolean }> {
    const existing = this.assignments.find((a) => a.resourceId === servicePrincipalId && a.principalId === principalId && a.appRoleId === appRoleId);
    if (existing) return { assignment: existing, alreadyExisted: true };
    const assignment = { id: `assignment-${this.assignments.length + 1}`, resourceId: servicePrincipalId, principalId, appRoleId };
    this.assignments.push(assignment);
    return { assignment, alreadyExisted: false };
  }
  async unassign(servicePrincipalId: string, assignmentId: string): Promise<boolean> {
    const i = this.assignments.findIndex((a) => a.id === assignmentId && a.resourceId === servicePrincipalId);
    if (i >= 0) this.assignments.splice(i, 1);
    return i >= 0;
  }
}
