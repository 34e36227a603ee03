export type CsvCell = string | number | null;

// A cell starting like a formula would run in a spreadsheet (CSV injection); a leading apostrophe
// makes Excel, Numbers and Sheets show it as text. Character codes of = + - @ TAB CR.
const FORMULA_START = new Set([61, 43, 45, 64, 9, 13]);
const NEEDS_QUOTES = /[",\r\n]/;

function cell(value: CsvCell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.has(value.charCodeAt(0)) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180: comma-separated, quoted when needed, CRLF after every record. */
export function csvRecord(cells: readonly CsvCell[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i += 1) line += (i === 0 ? '' : ',') + cell(cells[i] ?? null);
  return `${line}\r\n`;
}
