import { systemClock, TestClock } from '../../bot/clock';
import { loadConfig } from '../../bot/config';

const TENANT = '11111111-2222-3333-4444-555555555555';
const ADMINS = 'aaaaaaaa-0000-0000-0000-000000000001';
const MANAGERS = 'aaaaaaaa-0000-0000-0000-000000000002';
const APP = 'bbbbbbbb-0000-0000-0000-000000000001';
const HOUR = 60 * 60_000;

const sandboxEnv = {
  GRAPH_BASE_URL: 'https://127.0.0.1:4443',
  LOGIN_BASE_URL: 'https://127.0.0.1:4443/',
  TENANT_ID: TENANT,
  ADMIN_GROUP_ID: ADMINS,
  MANAGER_GROUP_ID: MANAGERS,
};

const productionEnv = {
  MicrosoftAppId: APP,
  MicrosoftAppPassword: 'bot-secret',
  MicrosoftAppType: 'SingleTenant',
  MicrosoftAppTenantId: TENANT,
  AZURE_TENANT_ID: TENANT,
  AZURE_CLIENT_ID: APP,
  AZURE_CLIENT_SECRET: 'graph-secret',
  ADMIN_GROUP_ID: ADMINS,
  MANAGER_GROUP_ID: MANAGERS,
};

describe('the test clock', () => {
  it('frozen, moves only when advanced, and never backwards', () => {
    const start = new Date('2026-12-02T10:00:00.000Z');
    const clock = new TestClock({ frozen: true, start });
    expect(clock.now()).toEqual(start);
    expect(clock.advance(24 * HOUR)).toEqual(new Date('2026-12-03T10:00:00.000Z'));
    expect(clock.advanceTo(new Date('2026-12-05T10:00:00.000Z'))).toEqual(new Date('2026-12-05T10:00:00.000Z'));
    // An instant already past leaves it where it is.
    expect(clock.advanceTo(start)).toEqual(new Date('2026-12-05T10:00:00.000Z'));
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(clock.now()).toEqual(new Date('2026-12-05T10:00:00.000Z'));
  });

  it('unfrozen, runs with real time plus what it was advanced', () => {
    const clock = new TestClock();
    clock.advance(72 * HOUR);
    const ahead = clock.now().getTime() - Date.now();
    expect(ahead).toBeGreaterThan(72 * HOUR - 5000);
    expect(ahead).toBeLessThanOrEqual(72 * HOUR);
  });

  it('tells its listeners after each jump, until they unsubscribe', () => {
    const clock = new TestClock({ frozen: true });
    const seen: number[] = [];
    const stop = clock.onAdvance(() => seen.push(clock.now().getTime()));
    const first = clock.advance(1000).getTime();
    stop();
    clock.advance(1000);
    expect(seen).toEqual([first]);
  });

  it('is not the system clock, which never jumps', () => {
    const listener = jest.fn();
    systemClock.onAdvance(listener)();
    expect(Math.abs(systemClock.now().getTime() - Date.now())).toBeLessThan(1000);
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('TEST_JOB_CLOCK', () => {
  it('is off unless asked for', () => {
    const result = loadConfig(sandboxEnv, '/srv/bot');
    expect(result.ok && result.config.testClock).toBe(false);
  });

  it('turns the test clock on in sandbox mode', () => {
    const result = loadConfig({ ...sandboxEnv, TEST_JOB_CLOCK: 'on' }, '/srv/bot');
    expect(result.ok && result.config.testClock).toBe(true);
  });

  it('stops start-up with production credentials', () => {
    const result = loadConfig({ ...productionEnv, TEST_JOB_CLOCK: 'on' }, '/srv/bot');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.join('\n')).toMatch(/^TEST_JOB_CLOCK: only for tests in sandbox mode/m);
  });

  it.each([
    ['MicrosoftAppPassword', 'bot-secret'],
    ['AZURE_CLIENT_SECRET', 'graph-secret'],
    ['AZURE_CLIENT_CERTIFICATE_PATH', '/etc/bot/graph.pem'],
  ])('stops start-up with %s set, even though the mode would be sandbox', (name, value) => {
    const result = loadConfig({ ...sandboxEnv, [name]: value, TEST_JOB_CLOCK: 'on' }, '/srv/bot');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.join('\n')).toContain(`TEST_JOB_CLOCK: only for tests in sandbox mode`);
    expect(result.problems.join('\n')).toContain(name);
  });

  it('refuses a value other than on or off', () => {
    const result = loadConfig({ ...sandboxEnv, TEST_JOB_CLOCK: 'yes' }, '/srv/bot');
    expect(result.ok).toBe(false);
  });
});
