import type { RecipientListEntryBatch } from '../persistence/recipient-list-entry.repository';
import { CsvFormatError, RecipientListIngest } from './recipient-list-ingest';
import type { RecipientListFormat } from './recipient-list-format';

interface Ingested {
  header: string[];
  phoneIndex: number;
  entries: Array<{ row: number; phone: string; values: string[] }>;
  builder: Awaited<ReturnType<RecipientListIngest['finish']>>;
}

/** Runs the real pipeline (worker threads included) over `body` cut into `chunkSize`-byte chunks. */
async function ingest(
  body: string | Buffer,
  chunkSize: number,
  format: RecipientListFormat = 'csv',
  phoneColumn?: string,
): Promise<Ingested> {
  let header: string[] = [];
  let phoneIndex = -1;
  const batches: RecipientListEntryBatch[] = [];
  const pipeline = new RecipientListIngest({
    format,
    phoneColumn,
    defaultCountry: 'US',
    maxRecipients: 1_000_000,
    onHeader: (columns, index) => {
      header = columns;
      phoneIndex = index;
      return Promise.resolve();
    },
    write: (batch) => {
      batches.push(batch);
      return Promise.resolve();
    },
  });
  try {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    for (let start = 0; start < bytes.length; start += chunkSize) {
      await pipeline.push(bytes.subarray(start, start + chunkSize));
    }
    const builder = await pipeline.finish();
    const entries = batches.flatMap((batch) => {
      const rows = batch.rows.split(',');
      const values = JSON.parse(batch.values) as string[][];
      return batch.phones
        .split(',')
        .map((phone, i) => ({ row: batch.rowBase + Number(rows[i]), phone, values: values[i] }));
    });
    // Positions run on from batch to batch.
    expect(entries.map((_, i) => i)).toEqual(
      batches.flatMap((batch) => batch.phones.split(',').map((_, i) => batch.firstPosition + i)),
    );
    return { header, phoneIndex, entries, builder };
  } finally {
    await pipeline.close();
  }
}

describe(RecipientListIngest.name, () => {
  // A BOM, CRLF line ends, and a quoted field holding a line break, a comma and an escaped quote.
  const csv =
    '\ufeffname,phone\r\n"Ada\r\nLovelace, ""the first""",+1 415 555 2671\r\n\r\nBob,(415) 555-2672\r\nBad,12\r\n';

  it.each([1, 2, 3, 5, 16, 1024])(
    'should read the same rows whatever the chunk boundaries (%i-byte chunks)',
    async (chunkSize) => {
      const result = await ingest(csv, chunkSize);
      expect(result.header).toEqual(['name', 'phone']);
      expect(result.phoneIndex).toBe(1);
      // Rows as a spreadsheet shows them, the header being row 1: the quoted line break is inside row 2, the
      // empty line is row 3.
      expect(result.entries).toEqual([
        { row: 2, phone: '+14155552671', values: ['Ada\r\nLovelace, "the first"'] },
        { row: 4, phone: '+14155552672', values: ['Bob'] },
      ]);
      expect(result.builder.rejectedRows).toEqual([
        { row: 5, column: 'phone', input: '12', reason: 'not a valid phone number' },
      ]);
      expect(result.builder).toMatchObject({ rowCount: 3, validCount: 2, rejectedCount: 1 });
    },
    30_000,
  );

  it.each([
    ['phone,name\r\n"+447400123456","a, b"\r\n+447400123457,b\n+447400123458,c\n', 'phone,name'],
    ['phone\n"+447400123456"\r\n+447400123457\n+447400123458\n', 'phone'],
  ])(
    'should keep every row of a file mixing \\r\\n and \\n line ends (%j)',
    async (body, header) => {
      const result = await ingest(body, 1024, 'csv');
      expect(result.header).toEqual(header.split(','));
      expect(result.entries.map((entry) => [entry.row, entry.phone])).toEqual([
        [2, '+447400123456'],
        [3, '+447400123457'],
        [4, '+447400123458'],
      ]);
      expect(result.builder.rejectedRows).toEqual([]);
    },
    30_000,
  );

  it.each([
    ['Name;Mobile\nAda;+447400123456\n"Lovelace; A.";+447400123457\n', ';'],
    ['Name\tMobile\r\nAda\t+447400123456\r\nLovelace; A.\t+447400123457\r\n', '\t'],
  ])(
    'should take the delimiter from the header line (%j)',
    async (body) => {
      const result = await ingest(body, 5, 'csv');
      expect(result.header).toEqual(['Name', 'Mobile']);
      expect(result.phoneIndex).toBe(1);
      expect(result.entries).toEqual([
        { row: 2, phone: '+447400123456', values: ['Ada'] },
        { row: 3, phone: '+447400123457', values: ['Lovelace; A.'] },
      ]);
    },
    30_000,
  );

  it('should number rows and find duplicates across many segments parsed on two workers', async () => {
    const rows = 30_000; // ~900 KB: several segments, so both workers and the in-order merge are used
    const lines = ['phone,n'];
    for (let i = 0; i < rows; i++) {
      lines.push(`+1415${String(2_000_000 + i)},${i}`);
    }
    lines.push('+14152000007,dup', 'nope,bad');
    const result = await ingest(lines.join('\n'), 64 * 1024);
    expect(result.entries).toHaveLength(rows);
    expect(result.entries.every((entry, i) => entry.row === i + 2 && entry.values[0] === String(i))).toBe(true);
    expect(result.builder.rejectedRows).toEqual([
      { row: rows + 2, column: 'phone', input: '+14152000007', reason: 'duplicate of +14152000007' },
      { row: rows + 3, column: 'phone', input: 'nope', reason: 'not a valid phone number' },
    ]);
  }, 60_000);

  it('should number CSV rows as a spreadsheet shows them, empty lines included, across segments', async () => {
    const rows = 30_000; // several segments, some of them ending on an empty line
    const lines = ['', 'phone,n'];
    for (let i = 0; i < rows; i++) {
      lines.push(i % 7 === 3 ? '' : `+1415${String(2_000_000 + i)},${i}`);
    }
    lines.push('nope,bad', '');
    const result = await ingest(lines.join('\n'), 64 * 1024);
    // Without quoted line breaks, a row is a line.
    const lineOf = (i: number) => i + 3;
    expect(result.entries).toHaveLength(rows - Math.ceil((rows - 3) / 7));
    expect(result.entries.every((entry) => entry.row === lineOf(Number(entry.values[0])))).toBe(true);
    expect(result.builder.rejectedRows).toEqual([
      { row: lineOf(rows), column: 'phone', input: 'nope', reason: 'not a valid phone number' },
    ]);
  }, 60_000);

  it('should number the rows after a quoted line break and an empty line as a spreadsheet does', async () => {
    const result = await ingest('phone,name\n+14155550100,a\n+14155550101,"b\nb"\n\n+14155550102,c\n', 1024);
    expect(result.entries.map((entry) => entry.row)).toEqual([2, 3, 5]);
  }, 30_000);

  it('should take NDJSON, numbering rows by line, blank lines included', async () => {
    const ndjson = '\ufeff{"phone":"+14155552671","code":1}\n\nnot json\r\n[1]\n{"code":"x","phone":"(415) 555-2672"}';
    for (const chunkSize of [1, 7, 1024]) {
      const result = await ingest(ndjson, chunkSize, 'ndjson');
      expect(result.header).toEqual(['phone', 'code']);
      expect(result.entries).toEqual([
        { row: 1, phone: '+14155552671', values: ['1'] },
        { row: 5, phone: '+14155552672', values: ['x'] },
      ]);
      expect(result.builder.rejectedRows).toEqual([
        { row: 3, column: null, input: 'not json', reason: 'not valid JSON' },
        { row: 4, column: null, input: '[1]', reason: 'not a JSON object' },
      ]);
    }
  }, 30_000);

  it('should refuse NDJSON whose values nest deeper than 32 levels: the first line as the upload, a later one as its row', async () => {
    const deep = (levels: number) => `{"phone":"+14155552671","x":${'['.repeat(levels)}${']'.repeat(levels)}}`;
    await expect(ingest(`${deep(5_000)}\n`, 1024, 'ndjson')).rejects.toThrow(
      'row 1: a value nested deeper than 32 levels',
    );
    const result = await ingest(
      `${deep(32)}\n{"phone":"+14155552672","x":${'['.repeat(5_000)}${']'.repeat(5_000)}}\n`,
      1024,
      'ndjson',
    );
    expect(result.entries.map((e) => e.row)).toEqual([1]);
    expect(result.builder.rejectedRows.map((r) => [r.row, r.reason])).toEqual([
      [2, 'a value nested deeper than 32 levels'],
    ]);
  }, 30_000);

  it('should refuse an upload with a header and no rows, as an empty one, and take one whose rows were all rejected', async () => {
    await expect(ingest('phone,name\n', 1024)).rejects.toThrow(
      'body: the upload has a header but no rows: send one row per recipient',
    );
    await expect(ingest('{"phone":"+14155552671"}\n\n', 1024, 'ndjson')).resolves.toBeDefined();
    const rejectedOnly = await ingest('phone\nnope\n', 1024);
    expect(rejectedOnly.builder.rejectedCount).toBe(1);
  }, 30_000);

  it('should name the line of malformed CSV in the whole upload', async () => {
    const lines = ['phone,name'];
    for (let i = 0; i < 10_000; i++) {
      lines.push(`+1415${2_000_000 + i},n`);
    }
    lines.push('+14150000000,"unclosed');
    await expect(ingest(lines.join('\n') + '\n', 4096)).rejects.toThrow(
      new CsvFormatError(
        'CSV_QUOTE_NOT_CLOSED',
        'Quote Not Closed: the parsing is finished with an opening quote at line 10002',
      ),
    );
  }, 30_000);

  it.each<[RecipientListFormat, (i: number, name: string) => string, string]>([
    ['csv', (i, name) => `+1415${String(i).padStart(7, '0')},${name}`, 'phone,name'],
    ['ndjson', (i, name) => JSON.stringify({ phone: `+1415${String(i).padStart(7, '0')}`, name }), ''],
  ])(
    'should refuse %s bytes that are not UTF-8, naming their line in the whole upload',
    async (format, row, header) => {
      const lines = header === '' ? [] : [header];
      for (let i = 0; i < 20_000; i++) {
        lines.push(row(i, i === 15_000 ? 'Gr\xfc\xdfe' : 'Grüße'));
      }
      // Latin-1 bytes for the one row, UTF-8 for the rest.
      const bytes = Buffer.concat(
        lines.map((line, i) => Buffer.from(`${line}\n`, i === lines.length - 5_000 ? 'latin1' : 'utf8')),
      );
      const line = lines.length - 5_000 + 1;

      await expect(ingest(bytes, 4096, format)).rejects.toThrow(
        `body: line ${line} is not valid UTF-8: save the file as UTF-8 and send it again`,
      );
      // In the header too.
      await expect(ingest(Buffer.from('phone,n\xe4me\n+14150000001,a\n', 'latin1'), 4096, 'csv')).rejects.toThrow(
        'body: line 1 is not valid UTF-8',
      );
    },
    30_000,
  );
});
