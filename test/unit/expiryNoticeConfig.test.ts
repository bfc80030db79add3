import { loadConfig } from '../../bot/config';
import { expiryNoticeJob, noticesAhead } from '../../bot/services/access/schedule';

const sandboxEnv = {
  GRAPH_BASE_URL: 'https://127.0.0.1:4443',
  LOGIN_BASE_URL: 'https://127.0.0.1:4443/',
  TENANT_ID: '11111111-2222-3333-4444-555555555555',
  ADMIN_GROUP_ID: 'aaaaaaaa-0000-0000-0000-000000000001',
  MANAGER_GROUP_ID: 'aaaaaaaa-0000-0000-0000-000000000002',
};

describe('ACCESS_EXPIRY_NOTICE_DAYS', () => {
  it.each([
    [undefined, [7, 1]],
    ['1,7', [7, 1]],
    [' 14, 3 ,1,3', [14, 3, 1]],
    ['2', [2]],
  ])('%s reads as %j', (value, days) => {
    const result = loadConfig({ ...sandboxEnv, ...(value === undefined ? {} : { ACCESS_EXPIRY_NOTICE_DAYS: value }) });
    if (!result.ok) throw new Error(result.problems.join('; '));
    expect(result.config.access.expiryNoticeDays).toEqual(days);
  });

  it.each(['0', '7,x', '-1', '1.5', '7,,1', ''])('refuses %j with a sentence that says what to write', (value) => {
    const result = loadConfig({ ...sandboxEnv, ACCESS_EXPIRY_NOTICE_DAYS: value });
    if (value === '') {
      // Empty is "not set", as for every other variable.
      expect(result.ok).toBe(true);
      return;
    }
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.join(' ')).toMatch(/ACCESS_EXPIRY_NOTICE_DAYS[\s\S]*like "7,1"/);
  });
});

describe('the notices ahead of an end date', () => {
  const ends = new Date('2027-01-31T00:00:00Z');

  it('skips a notice whose time had passed when the end date was set', () => {
    const armed = new Date('2027-01-28T00:00:00Z');
    expect(noticesAhead({ endsAt: ends.toISOString(), armedAt: armed.toISOString(), sent: [] }, [7, 1]).map((n) => n.days)).toEqual([1]);
    expect(expiryNoticeJob('r', ends, armed, [7, 1])?.runAt?.toISOString()).toBe('2027-01-30T00:00:00.000Z');
  });

  it('makes no job when no notice is ahead', () => {
    expect(expiryNoticeJob('r', ends, new Date('2027-01-30T12:00:00Z'), [7, 1])).toBeUndefined();
  });
});
