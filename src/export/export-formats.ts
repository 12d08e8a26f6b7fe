import { EXPORT_COLUMNS, ExportFormat } from '../persistence/export-page-query';

const UTF8_BOM = '\uFEFF';

/**
 * What an export starts with before its lines: for CSV a header line of snake_case column names,
 * after a UTF-8 byte order mark when `bom` is set (for Excel); nothing for NDJSON.
 */
export function exportHeader(format: ExportFormat, bom: boolean): string {
  if (format === 'ndjson') {
    return '';
  }
  return `${bom ? UTF8_BOM : ''}${EXPORT_COLUMNS.map(toSnakeCase).join(',')}\n`;
}

function toSnakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
