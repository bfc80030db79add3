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

/** One CSV field, quoted when needed. A leading = + - @ (or tab, CR) would run as a spreadsheet formula: it is neutralised. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== value ? `"${safe.replace(/"/g, '""')}"` : safe;
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
