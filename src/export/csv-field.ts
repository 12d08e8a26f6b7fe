// A cell starting with one of these is a formula to Excel, Sheets or Numbers (the fullwidth forms
// too, which Numbers normalizes): OWASP "CSV injection".
const FORMULA_STARTS = new Set(['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20']);
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV field, RFC 4180: quoted (quotes doubled) when it holds a comma, a quote or a line break;
 * a text that would start a formula gets a leading `'`, so a spreadsheet shows it as text (phone
 * numbers therefore read '+14155550100). Numbers are written as they are. The same bytes as
 * csv-stringify with `escape_formulas` (export-formats.spec.ts compares them), at a fraction of
 * its per-field cost, which dominated a million-row export.
 */
export function csvField(value: string | number | null): string {
  if (value === null) {
    return '';
  }
  if (typeof value === 'number') {
    return String(value);
  }
  const text = FORMULA_STARTS.has(value.charAt(0)) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
