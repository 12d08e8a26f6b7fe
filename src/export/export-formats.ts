import { Transform } from 'node:stream';
import { csvField } from './csv-field';
import { EXPORT_COLUMNS, ExportRow } from './export-row';

const UTF8_BOM = '\uFEFF';

/**
 * CSV: a header line of snake_case column names, then one line per row (see csvField for quoting and
 * spreadsheet safety). Takes rows a chunk at a time and writes each chunk as one string: one write
 * per chunk, not per row. `bom` starts the file with a UTF-8 byte order mark (for Excel).
 */
export function csvFormatter(bom: boolean): Transform {
  const header = `${bom ? UTF8_BOM : ''}${EXPORT_COLUMNS.map(toSnakeCase).join(',')}\n`;
  let headerWritten = false;
  return new Transform({
    writableObjectMode: true,
    writableHighWaterMark: 1,
    transform(rows: ExportRow[], _encoding, done) {
      let text = headerWritten ? '' : header;
      headerWritten = true;
      for (const row of rows) {
        text += csvLine(row);
      }
      done(null, text);
    },
    flush(done) {
      done(null, headerWritten ? '' : header);
    },
  });
}

/** NDJSON: one JSON object per line, keys as in ExportRow; one write per chunk of rows. */
export function ndjsonFormatter(): Transform {
  return new Transform({
    writableObjectMode: true,
    writableHighWaterMark: 1,
    transform(rows: ExportRow[], _encoding, done) {
      let text = '';
      for (const row of rows) {
        text += `${JSON.stringify(row)}\n`;
      }
      done(null, text);
    },
  });
}

function csvLine(row: ExportRow): string {
  let line = csvField(row[EXPORT_COLUMNS[0]]);
  for (let i = 1; i < EXPORT_COLUMNS.length; i++) {
    line += `,${csvField(row[EXPORT_COLUMNS[i]])}`;
  }
  return `${line}\n`;
}

function toSnakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
