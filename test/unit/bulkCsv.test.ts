import { csvField, parseCsvRecords, writeResultsCsv } from '../../bot/services/bulk/csv';
import type { BulkRowRecord } from '../../bot/store';

/**
 * Reads CSV the way a spreadsheet does with the given list separator: quotes are honoured only where a cell starts, as
 * Excel does, so a `;` inside a comma-quoted value splits the cell when the file is read with `;`.
 */
function readAs(text: string, separator: ',' | ';'): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let started = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charAt(i);
    if (quoted) {
      if (ch === '"' && text.charAt(i + 1) === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && !started) {
      quoted = true;
      started = true;
    } else if (ch === separator) {
      record.push(field);
      field = '';
      started = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text.charAt(i + 1) === '\n') i += 1;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      started = false;
    } else {
      field += ch;
      started = true;
    }
  }
  if (field !== '' || record.length > 0) records.push([...record, field]);
  return records;
}

/** What a spreadsheet would run: a cell whose text, past leading spaces and stray quotes, starts a formula. */
function runsAsFormula(cell: string): boolean {
  return /^[\t\r]/.test(cell) || /^[\s"]*[=+\-@]/.test(cell);
}

const HOSTILE = [
  '=HYPERLINK("http://evil","x")',
  '+1+cmd|"/c calc"!A1',
  '-2+3',
  '@SUM(A1:A2)',
  '\t=1+1',
  '\r=1+1',
  'Fabrikam;=cmd|"/c calc"!A1',
  'a; =1+1',
  'a;"=1+1',
  'a;+1;-2;@x',
  'first line\n=1+1',
  'first line\r\n@x',
  'a,=1+1',
  'a;\tb',
  'plain, with comma',
  'plain; with semicolon',
  'nothing special',
];

function row(detail: string): BulkRowRecord {
  return { runId: 'r', idx: 0, input: detail, email: detail, redirectUrl: detail, sendEmail: false, message: detail, state: 'failed', detail, userId: undefined, redeemUrl: detail } as unknown as BulkRowRecord;
}

describe('bulk results CSV', () => {
  it.each([',', ';'] as const)('never leaves a cell that runs as a formula when read with "%s" as the separator', (separator) => {
    const text = writeResultsCsv(HOSTILE.map(row), 'https://myapps.microsoft.com');
    const cells = readAs(text, separator).flat();
    expect(cells.length).toBeGreaterThan(HOSTILE.length);
    expect(cells.filter(runsAsFormula)).toEqual([]);
  });

  it('quotes every cell that contains a comma or a semicolon, so neither reader splits it at a formula start', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('a;b')).toBe('"a;b"');
    expect(csvField('Fabrikam;=cmd')).toBe(`"Fabrikam;'=cmd"`);
    expect(csvField('=1+1')).toBe(`"'=1+1"`);
    expect(csvField('x\n@y')).toBe(`"x\n'@y"`);
  });

  it('leaves ordinary values as they are', () => {
    expect(csvField('alice@fabrikam.com')).toBe('alice@fabrikam.com');
    expect(csvField('Succeeded')).toBe('Succeeded');
    expect(csvField('https://login.microsoftonline.com/redeem?rd=x&a=-1')).toBe('https://login.microsoftonline.com/redeem?rd=x&a=-1');
  });

  it('keeps every value readable with "," as the separator: the text, with the neutralising quote', () => {
    const records = parseCsvRecords(HOSTILE.map(csvField).join(','));
    expect(records).toHaveLength(1);
    expect(records[0]).toHaveLength(HOSTILE.length);
    expect(records[0]?.[HOSTILE.length - 1]).toBe('nothing special');
    expect(records[0]?.[0]).toBe(`'=HYPERLINK("http://evil","x")`);
  });
});
