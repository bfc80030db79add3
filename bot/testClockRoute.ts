import type { Server } from 'restify';
import { z } from 'zod';
import type { TestClock } from './clock';
import type { JobRunner } from './jobs';
import type { Logger } from './logger';

/** Exactly one of: a number of milliseconds, or an instant to move to. Forward only; at most ten years at a time. */
const advanceBody = z.union([
  z.strictObject({ advanceMs: z.number().int().nonnegative().max(10 * 366 * 86_400_000) }),
  z.strictObject({ to: z.iso.datetime({ offset: true }) }),
]);

/**
 * GET /test/clock tells the bot's job-clock time; POST /test/clock `{ advanceMs }` or `{ to }` moves it forward, runs every
 * job it made due, and answers once they have run, with the new time and the number of steps. This is how an e2e against a
 * spawned bot skips a day without waiting. app.ts registers it only when config.testClock is true, which config allows in
 * sandbox mode with no Bot Framework or Azure credential set; the sandbox listens on loopback only.
 */
export function registerTestClockRoute(server: Server, clock: TestClock, runner: JobRunner, log: Logger): void {
  server.get('/test/clock', async (_req, res) => {
    res.send(200, { now: clock.now().toISOString() });
  });
  server.post('/test/clock', async (req, res) => {
    const parsed = advanceBody.safeParse(req.body);
    if (!parsed.success) {
      res.send(400, { error: 'Send {"advanceMs": <whole milliseconds, 0 or more>} or {"to": "<ISO date-time with offset>"}.' });
      return;
    }
    const before = clock.now();
    const now = 'to' in parsed.data ? clock.advanceTo(new Date(parsed.data.to)) : clock.advance(parsed.data.advanceMs);
    const steps = await runner.settleDue();
    log.warn({ from: before.toISOString(), to: now.toISOString(), steps }, 'test clock moved forward');
    res.send(200, { now: clock.now().toISOString(), steps });
  });
}
