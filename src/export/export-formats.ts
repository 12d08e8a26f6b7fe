import { stringify } from 'csv-stringify';
import { Transform } from 'node:stream';
import { EXPORT_COLUMNS, ExportRow } from './export-row';

/**
 * CSV through csv-stringify: RFC 4180 quoting, and `escape_formulas` prefixes a quote to cells that
 * start with =, +, -, @, tab or CR, so a spreadsheet shows them as text instead of running them
 * (OWASP "CSV injection"). Phone numbers therefore read '+14155550100 in CSV; NDJSON has raw values.
 */
export function csvFormatter(bom: boolean): Transform {
  return stringify({
    header: true,
    columns: EXPORT_COLUMNS.map((key) => ({ key, header: toSnakeCase(key) })),
    escape_formulas: true,
    bom,
    cast: { boolean: (value) => String(value) },
  });
}

/** One JSON object per line, keys as in ExportRow. */
export function ndjsonFormatter(): Transform {
  return new Transform({
    writableObjectMode: true,
    transform(row: ExportRow, _encoding, done) {
      done(null, `${JSON.stringify(row)}\n`);
    },
  });
}

function toSnakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
