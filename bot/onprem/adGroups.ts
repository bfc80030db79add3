import {
  AlreadyExistsError,
  Attribute,
  Change,
  EqualityFilter,
  InsufficientAccessError,
  NoSuchAttributeError,
  NoSuchObjectError,
  ResultCodeError,
  TypeOrValueExistsError,
  UnwillingToPerformError,
  type Client,
} from 'ldapts';
import type { OnPremSettings } from '../config';
import { dnProblem } from './ldapEscape';
import { OnPremDirectoryError, withBoundClient } from './ldapConnection';

/** What a group DN from configuration turned out to be, read with a base search at start-up. */
export type GroupCheck = { kind: 'group'; dn: string } | { kind: 'notGroup'; dn: string } | { kind: 'missing' } | { kind: 'invalidDn'; problem: string };

/**
 * Membership of one account in AD groups, for Kerberos apps that authorize by group. Only the `member` attribute of the
 * named groups is ever written, so the service account needs write on that one attribute (README's delegation list).
 * Both writes are idempotent: "already a member" and "not a member" are answers, not errors, so a job step that repeats
 * after a crash ends in the same place.
 */
export class AdGroupMembership {
  constructor(private readonly settings: OnPremSettings) {}

  private async withClient<T>(what: string, work: (client: Client) => Promise<T>): Promise<T> {
    try {
      return await withBoundClient(this.settings, work);
    } catch (error) {
      throw this.explain(what, error);
    }
  }

  private explain(what: string, error: unknown): Error {
    if (error instanceof OnPremDirectoryError) return error;
    if (error instanceof InsufficientAccessError) {
      return new OnPremDirectoryError(`${what}: the service account may not write the group's member attribute. It needs Write on member of each mapped group (see the README's delegation list).`);
    }
    if (error instanceof NoSuchObjectError) return new OnPremDirectoryError(`${what}: the group or the account no longer exists in the on-prem directory (moved or deleted). An admin must fix ONPREM_APP_ROLE_GROUPS.`);
    if (error instanceof ResultCodeError) return new OnPremDirectoryError(`${what}: the on-prem directory answered ${error.name} (${error.code}).`);
    const detail = error instanceof Error ? error.message : String(error);
    return new OnPremDirectoryError(`${what}: could not reach the on-prem directory at ${this.settings.url} (${detail}).`);
  }

  /** Whether the DN names a group, and its DN as the directory spells it (the form the bot then records). */
  async checkGroup(dn: string): Promise<GroupCheck> {
    const problem = dnProblem(dn);
    if (problem) return { kind: 'invalidDn', problem };
    return this.withClient(`Checking the group ${dn}`, async (client) => {
      try {
        const { searchEntries } = await client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: ['objectClass'] });
        const entry = searchEntries[0];
        if (!entry) return { kind: 'missing' };
        const classes = ([] as unknown[]).concat(entry.objectClass ?? []).map((c) => String(c).toLowerCase());
        return classes.includes('group') ? { kind: 'group', dn: entry.dn } : { kind: 'notGroup', dn: entry.dn };
      } catch (error) {
        if (error instanceof NoSuchObjectError) return { kind: 'missing' };
        throw error;
      }
    });
  }

  /** Whether `memberDn` is a direct member of the group. AD compares DN values by their meaning, not their spelling. */
  async isMember(groupDn: string, memberDn: string): Promise<boolean> {
    return this.withClient(`Reading the members of ${groupDn}`, (client) => this.memberOf(client, groupDn, memberDn));
  }

  private async memberOf(client: Client, groupDn: string, memberDn: string): Promise<boolean> {
    const { searchEntries } = await client.search(groupDn, { scope: 'base', filter: new EqualityFilter({ attribute: 'member', value: memberDn }), attributes: ['distinguishedName'] });
    return searchEntries.length > 0;
  }

  /** Adds the account to the group; `alreadyMember` when it was one (AD answers entryAlreadyExists, Samba attributeOrValueExists). */
  async add(groupDn: string, memberDn: string): Promise<'added' | 'alreadyMember'> {
    return this.withClient(`Adding ${memberDn} to ${groupDn}`, async (client) => {
      try {
        await client.modify(groupDn, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [memberDn] }) }));
        return 'added';
      } catch (error) {
        if (error instanceof AlreadyExistsError || error instanceof TypeOrValueExistsError) return 'alreadyMember';
        throw error;
      }
    });
  }

  /**
   * Removes the account from the group; `notMember` when it was not one. AD answers that case with unwillingToPerform
   * (WERR_MEMBER_NOT_IN_GROUP) and Samba with noSuchAttribute; unwillingToPerform has other causes, so it is only read as
   * "not a member" after the group is read again.
   */
  async remove(groupDn: string, memberDn: string): Promise<'removed' | 'notMember'> {
    return this.withClient(`Removing ${memberDn} from ${groupDn}`, async (client) => {
      try {
        await client.modify(groupDn, new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [memberDn] }) }));
        return 'removed';
      } catch (error) {
        if (error instanceof NoSuchAttributeError) return 'notMember';
        if (error instanceof UnwillingToPerformError && !(await this.memberOf(client, groupDn, memberDn))) return 'notMember';
        throw error;
      }
    });
  }
}
