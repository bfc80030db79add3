import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { GraphDeadlines } from '../../bot/graph/client';

const BOUNDS = { totalMs: 10_000, attemptMs: 8_000, maxRetries: 3, baseDelaySeconds: 1 };

function response(status: number, retryAfter?: string): Response {
  return new Response(null, { status, headers: retryAfter === undefined ? {} : { 'Retry-After': retryAfter } });
}

/** One request's first attempt through the middleware at `now`; returns its options and the attempt's signal. */
async function firstAttempt(deadlines: GraphDeadlines): Promise<{ options: object; signal: AbortSignal | undefined }> {
  const seen: { signal?: AbortSignal | undefined } = {};
  const next: Middleware = {
    async execute(context: Context) {
      seen.signal = context.options?.signal ?? undefined;
    },
  };
  deadlines.setNext(next);
  const context: Context = { request: 'https://graph.example/v1.0/users', options: { method: 'GET' } };
  await deadlines.execute(context);
  return { options: context.options ?? {}, signal: seen.signal };
}

describe('GraphDeadlines', () => {
  let now = 0;
  const deadlines = () => new GraphDeadlines(BOUNDS, () => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('gives every attempt an abort signal', async () => {
    const { signal } = await firstAttempt(deadlines());
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(signal?.aborted).toBe(false);
  });

  it('retries a 429 whose Retry-After fits in what is left of the request, and not one that does not', async () => {
    const d = deadlines();
    const { options } = await firstAttempt(d);
    expect(d.shouldRetry(1, 0, 'url', options, response(429, '1'))).toBe(true);
    expect(d.shouldRetry(1, 0, 'url', options, response(429, '8'))).toBe(true);
    expect(d.shouldRetry(1, 0, 'url', options, response(429, '30'))).toBe(false);
    now += 5_000;
    expect(d.shouldRetry(1, 1, 'url', options, response(429, '8'))).toBe(false);
    expect(d.shouldRetry(1, 1, 'url', options, response(429, '1.5'))).toBe(true);
  });

  it('counts the back-off of a 503 without Retry-After, and stops when it no longer fits', async () => {
    const d = deadlines();
    const { options } = await firstAttempt(d);
    expect(d.shouldRetry(1, 0, 'url', options, response(503))).toBe(true);
    now += 8_000;
    expect(d.shouldRetry(1, 2, 'url', options, response(503))).toBe(false);
  });

  it('never retries a request it did not see start', () => {
    expect(deadlines().shouldRetry(1, 0, 'url', { method: 'GET' }, response(429, '1'))).toBe(false);
  });

  it('gives a later attempt only what is left of the request', async () => {
    const d = deadlines();
    const { options } = await firstAttempt(d);
    now += 9_990;
    const signals: AbortSignal[] = [];
    d.setNext({
      async execute(context: Context) {
        if (context.options?.signal) signals.push(context.options.signal);
      },
    });
    await d.execute({ request: 'https://graph.example/v1.0/users', options });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(signals[0]?.aborted).toBe(true);
  });
});
