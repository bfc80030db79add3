import fs from 'node:fs';
import { DEFAULT_FIXTURE_PATH, parseFixture } from '../../../sandbox/fixture';
import { cardOf, cardText, startBotOn } from '../../helpers/bot';
import { startTestSandbox } from '../../helpers/sandbox';

const ALEX = 'c0000000-0000-4000-8000-000000000001';
/** A partner manager: app access on whois is for partner managers, admins and the app's owners. */
const CALLER = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };

/** The shipped fixture as JSON, with the ids of its app role assignments left out, as a hand-written fixture may. */
function fixtureWithoutAssignmentIds(): unknown {
  const raw = JSON.parse(fs.readFileSync(DEFAULT_FIXTURE_PATH, 'utf8')) as { appRoleAssignments: Record<string, unknown>[] };
  raw.appRoleAssignments = raw.appRoleAssignments.map(({ id: _id, ...rest }) => rest);
  return raw;
}

describe('app role assignments without an id in the fixture', () => {
  it('get a stable, distinct, Graph-like id each', () => {
    const first = parseFixture(fixtureWithoutAssignmentIds()).appRoleAssignments.map((a) => a.id);
    const again = parseFixture(fixtureWithoutAssignmentIds()).appRoleAssignments.map((a) => a.id);
    expect(first).toEqual(again);
    expect(new Set(first).size).toBe(first.length);
    for (const id of first) expect(id).toMatch(/^[A-Za-z0-9_-]{22,}$/);
  });

  it('keeps an id the fixture gives', () => {
    const raw = fixtureWithoutAssignmentIds() as { appRoleAssignments: Record<string, unknown>[] };
    const [first] = raw.appRoleAssignments;
    if (first) first.id = 'givenAssignmentId00001';
    expect(parseFixture(raw).appRoleAssignments[0]?.id).toBe('givenAssignmentId00001');
  });

  it("leave whois showing the user's app access, not 'Graph did not answer'", async () => {
    const sandbox = await startTestSandbox({ fixture: parseFixture(fixtureWithoutAssignmentIds()) });
    const bot = await startBotOn(sandbox);
    try {
      const [reply] = await bot.say(CALLER, 'whois alex.wilber@contoso.com');
      const text = cardText(cardOf(reply));
      expect(text).not.toContain('Graph did not answer');
      expect(text).toContain('Contoso Wiki');
      expect(sandbox.state.appRoleAssignmentsOf(ALEX).every((a) => typeof a.id === 'string' && a.id !== '')).toBe(true);
    } finally {
      await bot.close();
      await sandbox.close();
    }
  });
});
