import { Attribute, Change, ConstraintViolationError, InsufficientAccessError, NoSuchAttributeError, NoSuchObjectError, ResultCodeError, TypeOrValueExistsError } from 'ldapts';
import type { OnPremSettings } from '../config';
import { OnPremDirectoryError, withBoundClient } from './ldapConnection';

/** What happened to one marker write. `changed`: the attribute no longer held the value shown, so nothing was written. */
export type MarkerWrite = 'written' | 'changed';

/**
 * Writes the partner marker attribute (PARTNER_MARKER_ATTRIBUTE, e.g. extensionAttribute1) of one AD account, and nothing
 * else. The write is one LDAP modify that deletes the value the admin was shown and adds the new one: AD applies a modify
 * whole or not at all (RFC 4511 §4.6), and the delete of a value that is no longer there fails, so a value someone changed
 * since the confirmation card is never overwritten and no half of the change is ever left behind.
 */
export class PartnerMarkerWriter {
  constructor(
    private readonly settings: OnPremSettings,
    readonly attribute: string,
  ) {}

  async write(dn: string, before: string | undefined, after: string | undefined): Promise<MarkerWrite> {
    const changes: Change[] = [];
    if (before !== undefined) changes.push(new Change({ operation: 'delete', modification: new Attribute({ type: this.attribute, values: [before] }) }));
    if (after !== undefined) changes.push(new Change({ operation: 'add', modification: new Attribute({ type: this.attribute, values: [after] }) }));
    if (changes.length === 0) return 'written';
    try {
      await withBoundClient(this.settings, (client) => client.modify(dn, changes));
      return 'written';
    } catch (error) {
      // The value shown is gone (delete failed), or a value appeared where none was (add to a single-valued attribute).
      if (error instanceof NoSuchAttributeError || error instanceof TypeOrValueExistsError) return 'changed';
      if (error instanceof ConstraintViolationError && before === undefined) return 'changed';
      throw this.explain(dn, error);
    }
  }

  private explain(dn: string, error: unknown): Error {
    if (error instanceof OnPremDirectoryError) return error;
    if (error instanceof InsufficientAccessError) {
      return new OnPremDirectoryError(`Writing ${this.attribute}: the service account may not write it on ${dn}. It needs Write on that one attribute (see the README's delegation list).`);
    }
    if (error instanceof NoSuchObjectError) return new OnPremDirectoryError(`Writing ${this.attribute}: ${dn} no longer exists (moved or deleted). Nothing was changed.`);
    if (error instanceof ResultCodeError) return new OnPremDirectoryError(`Writing ${this.attribute}: the on-prem directory answered ${error.name} (${error.code}). Nothing was changed.`);
    const detail = error instanceof Error ? error.message : String(error);
    return new OnPremDirectoryError(`Writing ${this.attribute}: could not reach the on-prem directory at ${this.settings.url} (${detail}).`);
  }
}
