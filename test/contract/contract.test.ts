import { z } from 'zod';
import { appChecks } from './apps.checks';
import { directoryChecks } from './directory.checks';
import { cleanUp, checker, ContractReport, REPORT_FILE, sandboxTarget, sweepRunGuests, tenantSettings, tenantTarget, type Target, type TargetName } from './harness';
import { invitationChecks } from './invitations.checks';
import { loginChecks } from './login.checks';
import { userChecks } from './users.checks';

/**
 * The Graph contract: every Graph and login call the bot makes, through the bot's own adapters, against the sandbox and,
 * when CONTRACT_TENANT=1 and the AZURE_* credentials are set, against a real tenant. docs/contract.md says how to run it.
 */
const report = new ContractReport();
const notes: string[] = [];
const tenant = tenantSettings();

const Sample = z.object({ value: z.array(z.object({ id: z.string(), userPrincipalName: z.string(), mail: z.string().nullish(), displayName: z.string().nullish() })) });

/** The member user the read checks look at: Adele Vance (admin, app owner) in the sandbox; on a tenant one found or named. */
async function discover(target: Target): Promise<void> {
  const wanted = target.sandbox ? 'a0000000-0000-4000-8000-000000000001' : process.env['CONTRACT_USER_ID'];
  const path = wanted
    ? `/users?$filter=${encodeURIComponent(`id eq '${wanted}'`)}&$select=id,userPrincipalName,mail,displayName`
    : `/users?$filter=${encodeURIComponent("userType eq 'Member' and accountEnabled eq true")}&$select=id,userPrincipalName,mail,displayName&$top=20`;
  const users = Sample.parse(await target.graph.api(path).get()).value;
  const user = users.find((u) => u.mail && u.displayName) ?? users[0];
  if (!user) throw new Error(`no member user found to read (${wanted ? `CONTRACT_USER_ID ${wanted}` : 'set CONTRACT_USER_ID'})`);
  target.state.set('user.id', user.id);
  target.state.set('user.upn', user.userPrincipalName);
  target.state.set('user.mail', user.mail ?? user.userPrincipalName);
  target.state.set('user.displayName', user.displayName ?? user.userPrincipalName);
}

const runs: TargetName[] = ['sandbox', 'tenant'];

for (const name of runs) {
  describe(`Graph contract on the ${name}`, () => {
    if (name === 'tenant' && !tenant.run) {
      notes.push(`Tenant run skipped: ${tenant.why}. See docs/contract.md.`);
      it.skip(`real tenant not configured: ${tenant.why}`, () => undefined);
      return;
    }
    let target: Target | undefined;

    beforeAll(async () => {
      target = name === 'sandbox' ? await sandboxTarget() : tenantTarget(tenant as Extract<typeof tenant, { run: true }>);
      sweepRunGuests(target);
      await discover(target);
      notes.push(
        `${name}: ${target.graphConfig.baseUrl}, tenant ${target.tenantId}, ${target.writes ? `writes in group ${target.writes.groupId} and domain ${target.writes.inviteDomain}` : 'read-only'}, run id ${target.runId}`,
      );
    }, 60_000);

    afterAll(async () => {
      if (!target) return;
      const problems = await cleanUp(target);
      await target.sandbox?.close();
      if (problems.length > 0) {
        notes.push(`${name}: cleanup left work to do by hand: ${problems.join('; ')}`);
        throw new Error(`Cleanup failed on the ${name}: ${problems.join('; ')}`);
      }
      if (!target.sandbox && target.writes) notes.push(`${name}: everything the run created was removed`);
    }, 60_000);

    const check = checker(report, name, () => {
      if (!target) throw new Error(`the ${name} target did not start`);
      return target;
    });
    loginChecks(check);
    directoryChecks(check);
    userChecks(check);
    invitationChecks(check);
    appChecks(check);
  });
}

describe('Graph contract report', () => {
  afterAll(() => {
    const text = report.write(REPORT_FILE, notes);
    process.stdout.write(`\n${text}\nWritten to ${REPORT_FILE}\n`);
  });

  it('every check passed on the sandbox', () => {
    expect(report.failures('sandbox').map((r) => `${r.endpoint}: ${r.behaviour}`)).toEqual([]);
  });

  it('sandbox and tenant observed the same wherever both ran', () => {
    const mismatches = report.mismatches().map((m) => ({ endpoint: m.endpoint, behaviour: m.behaviour, ...m.results }));
    expect(mismatches).toEqual([]);
  });
});
