import type { BulkRowRecord, BulkRowState } from '../../store';

/** One row as the requester gave it: typed after `invite`, or a line of an uploaded CSV. */
export interface BulkRowInput {
  input: string;
  redirectUrl?: string;
  sendEmail?: boolean;
  message?: string;
}

/** The Entra bulk-invite template: a `version:v1.0` line, then headers naming properties in brackets. */
export const ENTRA_COLUMNS = {
  inviteeEmail: 'Email address to invite [inviteeEmail] Required',
  inviteRedirectURL: 'Redirection url [inviteRedirectURL] Required',
  sendEmail: 'Send invitation message (true or false) [sendEmail]',
  customizedMessageBody: 'Customized invitation message [customizedMessageBody]',
} as const;

/** One CSV record per line, RFC 4180 quoting. */
export function parseCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charAt(i);
    if (quoted) {
      if (ch === '"' && text.charAt(i + 1) === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text.charAt(i + 1) === '\n') i += 1;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records.filter((r) => r.some((f) => f.trim() !== ''));
}

/**
 * Reads a CSV in Entra's bulk-invite layout. Columns are found by the bracketed property name, so older templates with
 * other wording still work; a file without an inviteeEmail column is refused with the reason.
 */
export function parseEntraBulkCsv(text: string): { ok: true; rows: BulkRowInput[] } | { ok: false; problem: string } {
  const records = parseCsvRecords(text.replace(/^\uFEFF/, ''));
  let start = 0;
  if (/^version:/i.test(records[0]?.[0]?.trim() ?? '')) start = 1;
  const header = records[start];
  if (!header) return { ok: false, problem: 'The CSV file is empty.' };
  const column = (property: string): number => header.findIndex((h) => h.toLowerCase().includes(`[${property.toLowerCase()}]`));
  const email = column('inviteeEmail');
  if (email < 0) {
    return { ok: false, problem: `The CSV has no "${ENTRA_COLUMNS.inviteeEmail}" column. Use the template from Entra's Bulk invite page.` };
  }
  const redirect = column('inviteRedirectURL');
  const send = column('sendEmail');
  const message = column('customizedMessageBody');
  const rows = records.slice(start + 1).map((r) => ({
    input: (r[email] ?? '').trim(),
    redirectUrl: redirect >= 0 ? (r[redirect] ?? '').trim() || undefined : undefined,
    sendEmail: send >= 0 ? /^true$/i.test((r[send] ?? '').trim()) : undefined,
    message: message >= 0 ? (r[message] ?? '').trim() || undefined : undefined,
  }));
  return { ok: true, rows };
}

/** A spreadsheet runs a cell as a formula when it starts with one of these (OWASP, "CSV Injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Inside a value, the places where a reader may start a new cell: after a `;` (Excel in locales whose list separator is
 * `;` splits there, quotes or not) and after a line break (a reader that does not honour the quotes starts a record
 * there). Matched when a formula start follows: a tab or CR, or = + - @ past any spaces or quotes.
 */
const INNER_FORMULA_START = /(;|\r\n|\r|\n)(?=[\t\r]|[\s"]*[=+\-@])/g;

/**
 * One CSV field, safe whether the file is read with `,` or `;` as the separator. A formula start is neutralised with a
 * leading `'` at the start of the value and after every `;` or line break inside it, and a value containing `,`, `;`,
 * quotes or line breaks is quoted, so neither reader splits it where a formula could begin.
 */
export function csvField(value: string): string {
  const inner = value.replace(INNER_FORMULA_START, "$1'");
  const safe = FORMULA_START.test(inner) ? `'${inner}` : inner;
  return /[",;\r\n]/.test(safe) || safe !== value ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const STATUS_WORDS: Record<BulkRowState, string> = {
  invalid: 'Failed: invalid address',
  pending: 'Not processed yet',
  inviting: 'In progress',
  invited: 'Succeeded',
  alreadyGuest: 'Skipped: already a guest',
  refused: 'Failed: refused by policy',
  failed: 'Failed',
  notAttempted: 'Not attempted: run stopped',
};

/** Per-row results in the Entra bulk-invite layout: the upload columns, then the outcome of each row. */
export function writeResultsCsv(rows: readonly BulkRowRecord[], defaultRedirectUrl: string): string {
  const header = [...Object.values(ENTRA_COLUMNS), 'Status [status]', 'Details [errorDetails]', 'Invited user object id [invitedUserId]', 'Redemption url [inviteRedeemUrl]'];
  const lines = ['version:v1.0', header.map(csvField).join(',')];
  for (const row of rows) {
    lines.push(
      [
        row.email ?? row.input,
        row.redirectUrl ?? defaultRedirectUrl,
        row.sendEmail ? 'true' : 'false',
        row.message ?? '',
        STATUS_WORDS[row.state],
        row.detail ?? '',
        row.userId ?? '',
        row.redeemUrl ?? '',
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
