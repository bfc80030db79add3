import { OnPremDirectoryError } from '../../bot/onprem/ldapConnection';
import { accountExpiresFrom, guidToString, isExpired, parsePartnerAccountRef, sidToBytes, sidToString } from '../../bot/onprem/partnerAccounts';

describe('AD binary attributes and account references', () => {
  it('converts objectSid between bytes and the S-1-… form Entra shows', () => {
    const sid = 'S-1-5-21-3623811015-3361044348-30300820-1013';
    const bytes = sidToBytes(sid);
    expect(bytes.toString('hex')).toBe('010500000000000515000000c7f7fed77c7755c8945ace01f5030000');
    expect(sidToString(bytes)).toBe(sid);
    expect(() => sidToBytes('S-1-5-x')).toThrow(OnPremDirectoryError);
    expect(() => sidToBytes('S-1-5-4294967296')).toThrow(OnPremDirectoryError);
  });

  it("decodes AD's mixed-endian objectGUID", () => {
    expect(guidToString(Buffer.from('3392b6a5e4c0aa4aa8c4f06e8f5b1d2e', 'hex'))).toBe('a5b69233-c0e4-4aaa-a8c4-f06e8f5b1d2e');
  });

  it('reads accountExpires: 0 and the maximum mean never, otherwise a FILETIME', () => {
    expect(accountExpiresFrom('0')).toBe('never');
    expect(accountExpiresFrom('9223372036854775807')).toBe('never');
    expect(accountExpiresFrom(undefined)).toBe('never');
    const d = accountExpiresFrom('133000000000000000');
    expect(d).toEqual(new Date('2022-06-18T04:26:40.000Z'));
    expect(isExpired({ accountExpires: d }, new Date('2022-06-18T04:26:41Z'))).toBe(true);
    expect(isExpired({ accountExpires: d }, new Date('2022-06-18T04:26:39Z'))).toBe(false);
    expect(isExpired({ accountExpires: 'never' }, new Date())).toBe(false);
  });

  it('tells a SID, an address and a sAMAccountName apart, and refuses what AD could not hold', () => {
    expect(parsePartnerAccountRef(' s-1-5-21-1-2-3-500 ')).toEqual({ kind: 'sid', value: 'S-1-5-21-1-2-3-500' });
    expect(parsePartnerAccountRef('wmoran@fabrikam.com')).toEqual({ kind: 'address', value: 'wmoran@fabrikam.com' });
    expect(parsePartnerAccountRef('abcdefghij0123456789')).toEqual({ kind: 'sAMAccountName', value: 'abcdefghij0123456789' });
    expect(() => parsePartnerAccountRef('abcdefghij0123456789z')).toThrow(/longer than the 20 characters/);
    expect(() => parsePartnerAccountRef('a,b')).toThrow(/cannot be a sAMAccountName/);
    expect(() => parsePartnerAccountRef('')).toThrow(/Give an account/);
    expect(() => parsePartnerAccountRef('a b@c')).toThrow(/not a UPN/);
  });
});
