import { z } from 'zod';
import { auditPageCard, auditProblemCard, exportCard, verifyCard } from '../presenters/audit.presenter';
import { AUDIT_USAGE, parseAuditArgs } from '../services/audit/auditFilter';
import { defineCommand } from './defineCommand';

const auditArgs = z.object({ args: z.array(z.string()) }).transform((tokens, ctx) => {
  const parsed = parseAuditArgs(tokens.args);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: parsed.problem });
    return z.NEVER;
  }
  return parsed.value;
});

export const audit = defineCommand({
  name: 'audit',
  aliases: [],
  summary: 'The audit log: filtered, paged, exported, and its hash chain checked',
  usage: AUDIT_USAGE,
  args: auditArgs,
  permission: 'admins',
  sideEffect: 'none',
  examples: ['audit days 7', 'audit partner ana@fabrikam.com app Timesheets', 'audit export csv days 30', 'audit verify'],
  description:
    'The audit log, newest first, 15 rows a page with Older: each row with when, who, what, the target and its place in the hash chain. Filters, each at most once: `partner <email | UPN | object id>` (every address and the object id the partner is known by), `app <name>` (matched like request), `actor <email | UPN | object id>`, `days <1–3650>`; an unknown or repeated filter is refused, never ignored. `audit export [csv | json]` gives the same filter as a file through a signed link that expires (DOWNLOAD_LINK_HOURS): every column and the chain, no secrets; CSV cells are protected against spreadsheet formulas, JSON lines keep every value as stored. `audit verify` checks the whole chain and names each row that was edited, deleted or reordered.',
  async run({ services, caller }, input) {
    const trail = services.auditTrail;
    if (input.kind === 'verify') return verifyCard(await trail.verify());
    const resolved = await trail.resolve(input.filter);
    if (resolved.kind === 'problem') return auditProblemCard(resolved.problem, resolved.candidates);
    if (input.kind === 'export') return exportCard(await trail.exportLink(caller, resolved, input.format));
    return auditPageCard(await trail.page(resolved), true);
  },
});
