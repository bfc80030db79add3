import path from 'node:path';
import { SANDBOX_CREDENTIALS, type LauncherSettings } from '../bot/config';
import { DEFAULT_FIXTURE_PATH, loadFixture, type Fixture } from './fixture';
import { sandboxOptionsFromEnv } from './options';
import type { SandboxOptions } from './server';

/**
 * What `npm start` will run in sandbox mode, decided before anything starts, so that a unit test can check that every
 * documented sandbox option reaches the sandbox, and a bad one stops the launch with its name.
 */
export interface SandboxLaunchPlan {
  fixturePath: string;
  fixture: Fixture;
  adminGroupId: string;
  managerGroupId: string;
  sandbox: SandboxOptions;
  /** The environment options in force, for the banner; empty when none is set. */
  options: string[];
}

export function sandboxLaunchPlan(settings: LauncherSettings, env: NodeJS.ProcessEnv): SandboxLaunchPlan {
  const fixturePath = settings.fixturePath ?? DEFAULT_FIXTURE_PATH;
  const fixture = loadFixture(fixturePath);
  const { faults, throttle, replicationLagMs } = sandboxOptionsFromEnv(env);
  const options = ['SANDBOX_LATENCY_MS', 'SANDBOX_ERROR_RATE', 'SANDBOX_THROTTLE_RU_PER_10S', 'SANDBOX_THROTTLE_WRITES_PER_150S', 'SANDBOX_REPLICATION_LAG_MS']
    .filter((name) => env[name] !== undefined && env[name] !== '')
    .map((name) => `${name}=${env[name] ?? ''}`);
  return {
    fixturePath,
    fixture,
    adminGroupId: settings.adminGroupId ?? fixture.roles.adminGroupId,
    managerGroupId: settings.managerGroupId ?? fixture.roles.managerGroupId,
    sandbox: {
      fixture,
      tlsDir: path.join(settings.dataDir, 'sandbox-tls'),
      clientSecret: SANDBOX_CREDENTIALS.clientSecret,
      faults,
      ...(throttle ? { throttle } : {}),
      ...(replicationLagMs !== undefined ? { replicationLagMs } : {}),
    },
    options,
  };
}
