import { faultsFromEnv, type FaultRule } from './faults';
import type { ThrottleOptions } from './throttle';

/**
 * The sandbox's environment options (sandbox/README.md), read in one place so that `npm run sandbox` and `npm start` honour
 * the same ones: SANDBOX_LATENCY_MS, SANDBOX_ERROR_RATE, SANDBOX_THROTTLE_RU_PER_10S, SANDBOX_THROTTLE_WRITES_PER_150S and
 * SANDBOX_REPLICATION_LAG_MS.
 */
export interface SandboxEnvOptions {
  faults: FaultRule[];
  throttle: ThrottleOptions | undefined;
  /** SANDBOX_REPLICATION_LAG_MS: how long a new guest stays invisible to reads; absent when not set. */
  replicationLagMs?: number;
}

/** SANDBOX_REPLICATION_LAG_MS as milliseconds, or undefined when not set. */
export function replicationLagFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.SANDBOX_REPLICATION_LAG_MS;
  if (raw === undefined || raw === '') return undefined;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0) throw new Error('SANDBOX_REPLICATION_LAG_MS must be a whole number of milliseconds (0 or more)');
  return ms;
}

/** Throttling when SANDBOX_THROTTLE_RU_PER_10S is set; SANDBOX_THROTTLE_WRITES_PER_150S alone does nothing. */
export function throttleFromEnv(env: NodeJS.ProcessEnv): ThrottleOptions | undefined {
  const ru = env.SANDBOX_THROTTLE_RU_PER_10S;
  if (ru === undefined || ru === '') return undefined;
  const writes = env.SANDBOX_THROTTLE_WRITES_PER_150S;
  const options: ThrottleOptions = { resourceUnitsPer10Seconds: Number(ru) };
  if (writes !== undefined && writes !== '') options.writesPer150Seconds = Number(writes);
  if (!(options.resourceUnitsPer10Seconds > 0) || (options.writesPer150Seconds !== undefined && !(options.writesPer150Seconds > 0))) {
    throw new Error('SANDBOX_THROTTLE_RU_PER_10S and SANDBOX_THROTTLE_WRITES_PER_150S must be positive numbers');
  }
  return options;
}

/** Throws one Error naming the variable that is wrong. */
export function sandboxOptionsFromEnv(env: NodeJS.ProcessEnv): SandboxEnvOptions {
  const replicationLagMs = replicationLagFromEnv(env);
  return { faults: faultsFromEnv(env), throttle: throttleFromEnv(env), ...(replicationLagMs !== undefined ? { replicationLagMs } : {}) };
}
