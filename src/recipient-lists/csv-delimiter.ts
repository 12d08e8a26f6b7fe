/** The delimiters a CSV may use: spreadsheets set to a locale with a decimal comma save `;`. */
export type CsvDelimiter = ',' | ';' | '\t';

const QUOTE = 0x22;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

/**
 * The delimiter of a CSV, read from its first line (the header; a file read in pieces knows no more): the
 * first comma, semicolon or tab outside quotes, else a comma (one column).
 */
export function detectCsvDelimiter(text: string): CsvDelimiter {
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      inQuotes = !inQuotes;
    } else if (inQuotes) {
      continue;
    } else if (code === COMMA || code === SEMICOLON || code === TAB) {
      return text[i] as CsvDelimiter;
    } else if (code === LF || code === CR) {
      break;
    }
  }
  return ',';
}
