import { z } from 'zod';

function compiles(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/**
 * A fault injected into matching requests. Rules are tried in order; every matching rule that fires adds its latency, and
 * the first one that fires with a `status` answers the request with that status instead of the real handler.
 */
export const FaultRuleSchema = z.strictObject({
  /** HTTP method to match (case-insensitive); any when absent. */
  method: z.string().min(1).optional(),
  /**
   * RegExp source tested against the decoded path with its query, e.g. `^/v1\.0/users\?` or `/checkMemberGroups$`. Graph
   * paths always carry their version, batch items included (`/v1.0/users/{id}`); login paths look like
   * `/{tenant}/oauth2/v2.0/token`. Any path when absent.
   */
  pathPattern: z.string().refine(compiles, 'must be a valid RegExp source').optional(),
  /** Which traffic the rule sees: Graph (default), the login endpoints, or both. */
  target: z.enum(['graph', 'login', 'any']).optional(),
  /** Whether the rule applies to top-level requests, to $batch items, or to both (default). */
  appliesTo: z.enum(['any', 'request', 'batchItem']).optional(),
  /** Status to answer with (429, 503, 500, 403, …). Without it the rule only adds latency. */
  status: z.number().int().min(400).max(599).optional(),
  /** Sent as the Retry-After header; fractional values are sent as given. */
  retryAfterSeconds: z.number().nonnegative().optional(),
  /** Response body; Graph's error shape for the status when absent. */
  body: z.unknown().optional(),
  /** Delay before answering, in milliseconds. */
  latencyMs: z.number().int().nonnegative().optional(),
  /** How many matching requests the rule fires on before it expires; unlimited when absent. */
  times: z.number().int().positive().optional(),
  /** Chance (0..1) that the rule fires on a matching request; 1 when absent. */
  probability: z.number().min(0).max(1).optional(),
});

export type FaultRule = z.infer<typeof FaultRuleSchema>;

export interface FaultMatch {
  latencyMs: number;
  fault?: { status: number; retryAfterSeconds?: number; body?: unknown };
}

interface ActiveRule {
  rule: FaultRule;
  pattern?: RegExp;
  remaining: number;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];

  constructor(
    rules: FaultRule[] = [],
    private readonly random: () => number = Math.random,
  ) {
    this.set(rules);
  }

  set(rules: FaultRule[]): void {
    const parsed = z.array(FaultRuleSchema).parse(rules);
    this.rules = parsed.map((rule) => ({
      rule,
      pattern: rule.pathPattern === undefined ? undefined : new RegExp(rule.pathPattern),
      remaining: rule.times ?? Number.POSITIVE_INFINITY,
    }));
  }

  /** The rules as given, with `times` showing what is left of each. */
  list(): FaultRule[] {
    return this.rules
      .filter((r) => r.remaining > 0)
      .map((r) => (Number.isFinite(r.remaining) ? { ...r.rule, times: r.remaining } : { ...r.rule }));
  }

  evaluate(target: 'graph' | 'login', method: string, path: string, batchItem: boolean): FaultMatch {
    const result: FaultMatch = { latencyMs: 0 };
    for (const active of this.rules) {
      const { rule } = active;
      if (active.remaining <= 0) continue;
      const ruleTarget = rule.target ?? 'graph';
      if (ruleTarget !== 'any' && ruleTarget !== target) continue;
      const appliesTo = rule.appliesTo ?? 'any';
      if ((appliesTo === 'request' && batchItem) || (appliesTo === 'batchItem' && !batchItem)) continue;
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (active.pattern && !active.pattern.test(path)) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      active.remaining -= 1;
      result.latencyMs += rule.latencyMs ?? 0;
      if (rule.status !== undefined) {
        result.fault = { status: rule.status, retryAfterSeconds: rule.retryAfterSeconds, body: rule.body };
        break;
      }
    }
    return result;
  }
}

/**
 * Fault rules from the environment, for the CLI: SANDBOX_LATENCY_MS slows every Graph request, SANDBOX_ERROR_RATE makes
 * that share of Graph requests answer 503 with Retry-After: 1.
 */
export function faultsFromEnv(env: NodeJS.ProcessEnv): FaultRule[] {
  const rules: FaultRule[] = [];
  const latency = env.SANDBOX_LATENCY_MS;
  if (latency !== undefined && latency !== '') {
    const ms = Number(latency);
    if (!Number.isInteger(ms) || ms < 0) throw new Error(`SANDBOX_LATENCY_MS must be a whole number of milliseconds, got '${latency}'`);
    rules.push({ latencyMs: ms });
  }
  const rate = env.SANDBOX_ERROR_RATE;
  if (rate !== undefined && rate !== '') {
    const p = Number(rate);
    if (!Number.isFinite(p) || p < 0 || p > 1) throw new Error(`SANDBOX_ERROR_RATE must be between 0 and 1, got '${rate}'`);
    rules.push({ status: 503, retryAfterSeconds: 1, probability: p });
  }
  return rules;
}
