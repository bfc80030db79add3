import type { Activity } from 'botbuilder';
import { identifyCaller } from '../../bot/identity/caller';
import { canonicalObjectId, sameObjectId } from '../../bot/identity/objectId';

const TENANT = 'c0ffee00-0000-4000-8000-000000000000';
const ADELE = 'a0000000-0000-4000-8000-00000000abcd';

function activityFrom(aadObjectId: unknown): Partial<Activity> {
  return {
    from: { id: `29:${String(aadObjectId)}`, name: 'Adele Vance', aadObjectId } as Activity['from'],
    channelData: { tenant: { id: TENANT } },
    conversation: { id: 'a:1', conversationType: 'personal', isGroup: false, name: '' },
  };
}

describe('canonicalObjectId', () => {
  it.each([
    [ADELE, ADELE],
    [ADELE.toUpperCase(), ADELE],
    [`{${ADELE}}`, ADELE],
    [`{${ADELE.toUpperCase()}}`, ADELE],
  ])('takes %s as the object id %s', (given, canonical) => {
    expect(canonicalObjectId(given)).toBe(canonical);
  });

  it.each([
    'adele.vance@contoso.com',
    `29:${ADELE}`,
    `{${ADELE}`,
    `${ADELE}}`,
    ` ${ADELE}`,
    `${ADELE}\n`,
    ADELE.replace(/-/g, ''),
    `${ADELE}0`,
    'g0000000-0000-4000-8000-00000000abcd',
    '',
    42,
    undefined,
  ])('refuses %p', (given) => {
    expect(canonicalObjectId(given)).toBeUndefined();
  });
});

describe('sameObjectId', () => {
  it('matches one id written in any case, with or without braces', () => {
    expect(sameObjectId(ADELE, ADELE.toUpperCase())).toBe(true);
    expect(sameObjectId(`{${ADELE}}`, ADELE)).toBe(true);
    expect(sameObjectId(ADELE, 'a0000000-0000-4000-8000-00000000abce')).toBe(false);
  });

  it('never matches a value that is not a GUID, not even the same value', () => {
    expect(sameObjectId('adele.vance@contoso.com', 'adele.vance@contoso.com')).toBe(false);
    expect(sameObjectId('adele.vance@contoso.com', ADELE)).toBe(false);
    expect(sameObjectId(ADELE, undefined)).toBe(false);
    expect(sameObjectId(undefined, undefined)).toBe(false);
    expect(sameObjectId('', '')).toBe(false);
  });
});

describe('identifyCaller', () => {
  it('gives the object id in canonical form, however Teams or a forger wrote it', () => {
    for (const given of [ADELE, ADELE.toUpperCase(), `{${ADELE}}`]) {
      const identified = identifyCaller(activityFrom(given), TENANT);
      expect(identified).toMatchObject({ ok: true, identity: { aadObjectId: ADELE, tenantId: TENANT } });
    }
  });

  it.each(['adele.vance@contoso.com', 'Adele.Vance@contoso.com', `29:${ADELE}`, `{${ADELE}`, 'not-a-guid'])(
    'refuses %s in from.aadObjectId as not an object id',
    (given) => {
      expect(identifyCaller(activityFrom(given), TENANT)).toEqual({ ok: false, reason: 'not-an-object-id' });
    },
  );

  it('still refuses a missing id as no identity, and another tenant before anything else', () => {
    expect(identifyCaller(activityFrom(undefined), TENANT)).toEqual({ ok: false, reason: 'no-identity' });
    expect(identifyCaller(activityFrom('adele.vance@contoso.com'), 'd0000000-0000-4000-8000-000000000000')).toMatchObject({ ok: false, reason: 'foreign-tenant' });
  });
});
