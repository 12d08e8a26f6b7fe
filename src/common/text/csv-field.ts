// A cell starting with one of these is a formula to Excel, Sheets or Numbers (OWASP "CSV injection"; the set
// the message export guards in SQL, src/persistence/export-page-query.ts). A phone number in E.164 (+ and
// digits) is only a number to them, and is kept as it is so that the file imports again. Pure: the CLI and
// the web console (its opt-out download) both use it.
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
const E164 = /^\+\d{1,15}$/;

/**
 * RFC 4180: quote a field holding a comma, quote or line break; double the quotes. A text that would start a
 * formula gets a leading `'`, so a spreadsheet shows it as text (a reason such as `=HYPERLINK(…)`).
 */
export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) && !E164.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
