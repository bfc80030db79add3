import type { StoredAuditRow } from '../../store';
import { csvField } from '../bulk/csv';
import type { ExportFormat } from './auditFilter';
import { SECRET_DETAIL_KEY } from './timeline';

/** Every column of the row, the chain's included, and whether a secret-looking detail was blanked. */
export const EXPORT_COLUMNS = ['seq', 'id', 'at', 'actor', 'actor_name', 'action', 'target', 'outcome', 'detail', 'prev_hash', 'hash', 'redacted'] as const;

export const REDACTED_VALUE = '[redacted]';

function redactValue(value: unknown, depth: number): { value: unknown; redacted: boolean } {
  if (depth > 12 || value === null || typeof value !== 'object') return { value, redacted: false };
  if (Array.isArray(value)) {
    let redacted = false;
    const items = value.map((item: unknown) => {
      const inner = redactValue(item, depth + 1);
      redacted ||= inner.redacted;
      return inner.value;
    });
    return { value: items, redacted };
  }
  let redacted = false;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (SECRET_DETAIL_KEY.test(key)) {
      out[key] = REDACTED_VALUE;
      redacted = true;
    } else {
      const walked = redactValue(inner, depth + 1);
      out[key] = walked.value;
      redacted ||= walked.redacted;
    }
  }
  return { value: out, redacted };
}

/**
 * The stored detail text, unchanged when it holds no key that looks like a secret (so the row's hash can be recomputed from
 * the export), else re-serialized with those values blanked and the row marked `redacted`. The bot writes no secrets into
 * the log; this is the guard for a future row kind that would.
 */
export function exportedDetail(detail: string | null): { detail: string | null; redacted: boolean } {
  if (detail === null) return { detail: null, redacted: false };
  let parsed: unknown;
  try {
    parsed = JSON.parse(detail);
  } catch {
    // Not JSON (a corrupt row): shown as stored, since no key can be told apart in it.
    return { detail, redacted: false };
  }
  const walked = redactValue(parsed, 0);
  return walked.redacted ? { detail: JSON.stringify(walked.value), redacted: true } : { detail, redacted: false };
}

function exportRecord(row: StoredAuditRow): Record<(typeof EXPORT_COLUMNS)[number], string | number | boolean | null> {
  const { detail, redacted } = exportedDetail(row.detail);
  return {
    seq: row.seq,
    id: row.id,
    at: row.at,
    actor: row.actor,
    actor_name: row.actor_name,
    action: row.action,
    target: row.target,
    outcome: row.outcome,
    detail,
    prev_hash: row.prev_hash,
    hash: row.hash,
    redacted,
  };
}

/**
 * One page of the export. JSON lines keep every value exactly as stored (the input for re-checking hashes elsewhere). CSV is
 * for reading in a spreadsheet: each cell goes through the bulk results' `csvField`, so a value starting with `=`, `+`,
 * `-`, `@`, a tab or CR (or such a start after a `;` or line break inside it) gets a leading `'` and cannot run as a formula.
 */
export function exportLines(rows: readonly StoredAuditRow[], format: ExportFormat): string {
  if (format === 'jsonl') return rows.map((row) => `${JSON.stringify(exportRecord(row))}\n`).join('');
  return rows
    .map((row) => {
      const record = exportRecord(row);
      return `${EXPORT_COLUMNS.map((column) => csvField(record[column] === null ? '' : String(record[column]))).join(',')}\r\n`;
    })
    .join('');
}

export function exportHeader(format: ExportFormat): string {
  return format === 'csv' ? `${EXPORT_COLUMNS.join(',')}\r\n` : '';
}
