import type { Kysely, Selectable } from 'kysely';
import type { AdGroupMembershipTable, Database } from './schema';
import type { StoreWarningHandler } from './warnings';

export type AdGroupMembershipState = 'preExisting' | 'adding' | 'added' | 'removed' | 'handedOver';
export const AD_GROUP_MEMBERSHIP_STATES: readonly AdGroupMembershipState[] = ['preExisting', 'adding', 'added', 'removed', 'handedOver'];
/** The states in which the membership is the grant's own: ending the grant removes it (or hands it on). */
export const OWNED_MEMBERSHIP_STATES: readonly AdGroupMembershipState[] = ['adding', 'added'];

export interface AdGroupMembershipRecord {
  requestId: string;
  groupDn: string;
  memberDn: string;
  guestObjectId: string;
  state: AdGroupMembershipState;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewAdGroupMembership {
  requestId: string;
  groupDn: string;
  memberDn: string;
  guestObjectId: string;
  /** What the grant found before touching the group: already a member (`preExisting`) or not (`adding`). */
  state: 'preExisting' | 'adding';
}

/** AD compares DNs without regard to case; the keys are the DNs lower-cased, spaces around RDN separators kept as AD returned them. */
export function dnKey(dn: string): string {
  return dn.trim().toLowerCase();
}

/**
 * The AD group memberships Kerberos grants need, one row per (grant, group). The row is written before the LDAP add, and
 * the first write wins: a repeat after a crash reads what the first attempt found (member before, or not), so a membership
 * the bot added is never mistaken for one that was already there. States move by compare-and-set on `version`.
 */
export class AdGroupMembershipRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly onWarning: StoreWarningHandler,
    private readonly now: () => Date,
  ) {}

  /** Records what the grant found, unless a row for this grant and group exists; returns the row as stored (the first one). */
  async begin(input: NewAdGroupMembership): Promise<AdGroupMembershipRecord> {
    const at = this.now().toISOString();
    await this.db
      .insertInto('ad_group_membership')
      .values({
        request_id: input.requestId,
        group_key: dnKey(input.groupDn),
        group_dn: input.groupDn,
        member_dn: input.memberDn,
        member_key: dnKey(input.memberDn),
        guest_object_id: input.guestObjectId.toLowerCase(),
        state: input.state,
        version: 0,
        created_at: at,
        updated_at: at,
      })
      .onConflict((oc) => oc.columns(['request_id', 'group_key']).doNothing())
      .execute();
    const row = await this.get(input.requestId, input.groupDn);
    if (!row) throw new Error(`The AD group membership row for ${input.requestId} / ${input.groupDn} was not stored.`);
    return row;
  }

  async get(requestId: string, groupDn: string): Promise<AdGroupMembershipRecord | undefined> {
    const row = await this.db.selectFrom('ad_group_membership').selectAll().where('request_id', '=', requestId).where('group_key', '=', dnKey(groupDn)).executeTakeFirst();
    return row ? this.toRecord(row) : undefined;
  }

  /** A grant's rows, in the order they were written. */
  async listForRequest(requestId: string): Promise<AdGroupMembershipRecord[]> {
    const rows = await this.db.selectFrom('ad_group_membership').selectAll().where('request_id', '=', requestId).orderBy('created_at').orderBy('group_key').execute();
    return this.toRecords(rows);
  }

  /** Every row of a partner's grants, for whois. */
  async listForGuest(guestObjectId: string): Promise<AdGroupMembershipRecord[]> {
    const rows = await this.db.selectFrom('ad_group_membership').selectAll().where('guest_object_id', '=', guestObjectId.toLowerCase()).orderBy('created_at').orderBy('group_key').execute();
    return this.toRecords(rows);
  }

  /** The rows of every grant that put this account in this group: who else needs the membership. */
  async listForMembership(memberDn: string, groupDn: string): Promise<AdGroupMembershipRecord[]> {
    const rows = await this.db.selectFrom('ad_group_membership').selectAll().where('member_key', '=', dnKey(memberDn)).where('group_key', '=', dnKey(groupDn)).orderBy('created_at').execute();
    return this.toRecords(rows);
  }

  /** `from` → `to` if nobody moved the row since it was read. Returns whether this caller won. */
  async move(record: Pick<AdGroupMembershipRecord, 'requestId' | 'groupDn' | 'version' | 'state'>, to: AdGroupMembershipState): Promise<boolean> {
    const result = await this.db
      .updateTable('ad_group_membership')
      .set({ state: to, version: record.version + 1, updated_at: this.now().toISOString() })
      .where('request_id', '=', record.requestId)
      .where('group_key', '=', dnKey(record.groupDn))
      .where('version', '=', record.version)
      .where('state', '=', record.state)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  private toRecords(rows: Selectable<AdGroupMembershipTable>[]): AdGroupMembershipRecord[] {
    return rows.flatMap((row) => {
      const record = this.toRecord(row);
      return record ? [record] : [];
    });
  }

  private toRecord(row: Selectable<AdGroupMembershipTable>): AdGroupMembershipRecord | undefined {
    const state = AD_GROUP_MEMBERSHIP_STATES.find((s) => s === row.state);
    if (!state) {
      // A row that cannot be read is never acted on: it is neither removed nor handed on.
      this.onWarning({ kind: 'corrupt-row', table: 'ad_group_membership', key: `${row.request_id} ${row.group_key}`, problem: `unknown state ${JSON.stringify(row.state)}` });
      return undefined;
    }
    return {
      requestId: row.request_id,
      groupDn: row.group_dn,
      memberDn: row.member_dn,
      guestObjectId: row.guest_object_id,
      state,
      version: Number(row.version),
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
    };
  }
}
