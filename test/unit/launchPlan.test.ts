import os from 'node:os';
import path from 'node:path';
import type { LauncherSettings } from '../../bot/config';
import { sandboxLaunchPlan } from '../../sandbox/launchPlan';

const settings: LauncherSettings = { mode: 'sandbox', port: 3978, dataDir: path.join(os.tmpdir(), 'pab-launch-plan'), playground: false };

describe('npm start in sandbox mode honours every option sandbox/README.md documents', () => {
  it('passes SANDBOX_LATENCY_MS and SANDBOX_ERROR_RATE to the sandbox as fault rules', () => {
    const plan = sandboxLaunchPlan(settings, { SANDBOX_LATENCY_MS: '250', SANDBOX_ERROR_RATE: '0.1' });
    expect(plan.sandbox.faults).toEqual([{ latencyMs: 250 }, { status: 503, retryAfterSeconds: 1, probability: 0.1 }]);
    expect(plan.options).toEqual(['SANDBOX_LATENCY_MS=250', 'SANDBOX_ERROR_RATE=0.1']);
  });

  it('passes SANDBOX_THROTTLE_RU_PER_10S and SANDBOX_THROTTLE_WRITES_PER_150S as throttling', () => {
    expect(sandboxLaunchPlan(settings, { SANDBOX_THROTTLE_RU_PER_10S: '100' }).sandbox.throttle).toEqual({ resourceUnitsPer10Seconds: 100 });
    expect(sandboxLaunchPlan(settings, { SANDBOX_THROTTLE_RU_PER_10S: '100', SANDBOX_THROTTLE_WRITES_PER_150S: '30' }).sandbox.throttle).toEqual({
      resourceUnitsPer10Seconds: 100,
      writesPer150Seconds: 30,
    });
  });

  it('passes SANDBOX_REPLICATION_LAG_MS as the replication lag, and refuses one that is not whole milliseconds', () => {
    const plan = sandboxLaunchPlan(settings, { SANDBOX_REPLICATION_LAG_MS: '1500' });
    expect(plan.sandbox.replicationLagMs).toBe(1500);
    expect(plan.options).toEqual(['SANDBOX_REPLICATION_LAG_MS=1500']);
    expect(sandboxLaunchPlan(settings, {}).sandbox.replicationLagMs).toBeUndefined();
    expect(() => sandboxLaunchPlan(settings, { SANDBOX_REPLICATION_LAG_MS: '1.5s' })).toThrow('SANDBOX_REPLICATION_LAG_MS');
  });

  it('starts a plain sandbox when none is set', () => {
    const plan = sandboxLaunchPlan(settings, {});
    expect(plan.sandbox.faults).toEqual([]);
    expect(plan.sandbox.throttle).toBeUndefined();
    expect(plan.options).toEqual([]);
    expect(plan.sandbox.tlsDir).toBe(path.join(settings.dataDir, 'sandbox-tls'));
  });

  it('refuses a bad value, naming the variable', () => {
    expect(() => sandboxLaunchPlan(settings, { SANDBOX_LATENCY_MS: 'slow' })).toThrow('SANDBOX_LATENCY_MS');
    expect(() => sandboxLaunchPlan(settings, { SANDBOX_ERROR_RATE: '2' })).toThrow('SANDBOX_ERROR_RATE');
    expect(() => sandboxLaunchPlan(settings, { SANDBOX_THROTTLE_RU_PER_10S: '-1' })).toThrow('SANDBOX_THROTTLE_RU_PER_10S');
  });

  it('uses the fixture SANDBOX_FIXTURE names, and its role groups unless ADMIN_GROUP_ID and MANAGER_GROUP_ID say otherwise', () => {
    const plan = sandboxLaunchPlan({ ...settings, adminGroupId: 'aaaaaaaa-0000-4000-8000-000000000001' }, {});
    expect(plan.adminGroupId).toBe('aaaaaaaa-0000-4000-8000-000000000001');
    expect(plan.managerGroupId).toBe(plan.fixture.roles.managerGroupId);
  });
});
