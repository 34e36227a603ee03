export type CsvCell = string | number | null;

// A cell starting like a formula would run in a spreadsheet (CSV injection); a leading apostrophe
// makes Excel, Numbers and Sheets show it as text.
const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: CsvCell): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? String(value) : FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180: comma-separated, quoted when needed, CRLF after every record. */
export function csvRecord(cells: readonly CsvCell[]): string {
  return `${cells.map(cell).join(',')}\r\n`;
}
