import type { CsvDelimiter } from './csv-delimiter';
import { parseUploadSegment, UploadSegmentRequest } from './upload-segment';

function segment(
  text: string,
  format: UploadSegmentRequest['format'],
  header = ['phone', 'name'],
): UploadSegmentRequest {
  return { segment: 0, bytes: new TextEncoder().encode(text), format, header, phoneIndex: 0 };
}

describe(parseUploadSegment.name, () => {
  it('should reject a row whose field holds a NUL byte, naming the column, and keep the other rows', () => {
    const parsed = parseUploadSegment(segment('+14155550100,Ann\n+14155550101,B\u0000b\n', 'csv'));

    expect(Array.from(parsed.validRows)).toEqual([1]);
    expect(JSON.parse(parsed.entries.values)).toEqual([['Ann']]);
    expect(parsed.rejected).toEqual([
      {
        row: 2,
        column: 1,
        input: 'B\uFFFDb',
        reason: 'contains a NUL byte or an unpaired surrogate',
        phone: { e164: '+14155550101', input: '+14155550101' },
      },
    ]);
  });

  it('should leave the values out when nothing reads them, and still check the fields', () => {
    const parsed = parseUploadSegment({
      ...segment('+14155550100,Ann\n+14155550101,B\u0000b\n', 'csv'),
      withValues: false,
    });

    expect(parsed.entries).toMatchObject({ phones: '+14155550100', values: '[]' });
    expect(parsed.rejected).toEqual([expect.objectContaining({ row: 2, column: 1 })]);
  });

  it('should give the same rows when the fast reader gives up half way and csv-parse reads the segment again', () => {
    // Rows 1 and 2 are validated as the fast reader reads them; the quoted line break in row 3 makes it give up.
    const text = '+14155550100,Ann\nnot a number,Bob\n+14155550102,"Cy\nrus"\n+14155550103,Di\n';
    const parsed = parseUploadSegment(segment(text, 'csv'));

    expect(parsed.rows).toBe(4);
    expect(Array.from(parsed.validRows)).toEqual([1, 3, 4]);
    expect(JSON.parse(parsed.entries.values)).toEqual([['Ann'], ['Cy\nrus'], ['Di']]);
    expect(parsed.rejected).toEqual([expect.objectContaining({ row: 2, column: 0, input: 'not a number' })]);
  });

  it.each([
    ['a quoted cell', ['phone', 'name'], '"+447400123456","a, b"\r\n+447400123457,b\n+447400123458,c\n'],
    ['one quoted column', ['phone'], '"+447400123456"\r\n+447400123457\n+447400123458\n'],
    ['no quotes', ['phone'], '+447400123456\r\n+447400123457\n+447400123458\n'],
    [
      'a lone \\r and a quoted line break',
      ['phone', 'name'],
      '+447400123456,"a\r\nb"\n+447400123457,b\r+447400123458,c',
    ],
  ])('should end a record at any line break outside quotes, in any mix (%s)', (_, header, text) => {
    const parsed = parseUploadSegment(segment(text, 'csv', header));

    expect(parsed.rejected).toEqual([]);
    expect(parsed.rows).toBe(3);
    expect(Array.from(parsed.validRows)).toEqual([1, 2, 3]);
    expect(parsed.entries.phones).toBe('+447400123456,+447400123457,+447400123458');
  });

  it.each([
    ['read by the fast reader', '+14155550100,a\n\n+14155550101,b\r\n\r\n\r+14155550102,c\n\n'],
    ['read by csv-parse', '+14155550100,a\n\n+14155550101,"b\nb"\r\n\r\n\r+14155550102,c\n\n'],
  ])('should number rows as a spreadsheet shows them, empty lines included (%s)', (_, text) => {
    const parsed = parseUploadSegment(segment(text, 'csv'));

    expect(Array.from(parsed.validRows)).toEqual([1, 3, 6]);
    // The empty line at the end is a row too: the next segment's rows come after it.
    expect(parsed.rows).toBe(7);
  });

  it('should still take a line holding only "" as a row, and skip an empty one', () => {
    const parsed = parseUploadSegment(segment('+14155550100\n\n""\n', 'csv', ['phone']));

    expect(parsed.rows).toBe(3);
    expect(parsed.rejected).toEqual([expect.objectContaining({ row: 3, column: 0, input: '' })]);
  });

  it.each<[CsvDelimiter, string, string]>([
    [';', 'Ada;+447400123456\n"Bo; Bob";+447400123457\n', 'Bo; Bob'],
    ['\t', 'Ada\t+447400123456\n"Bo\tBob"\t+447400123457\n', 'Bo\tBob'],
    // A quoted line break: csv-parse reads it.
    [';', 'Ada;+447400123456\n"Bo\nBob";+447400123457\n', 'Bo\nBob'],
  ])('should read a CSV delimited by %j', (delimiter, text, secondName) => {
    const parsed = parseUploadSegment({ ...segment(text, 'csv', ['Name', 'Mobile']), phoneIndex: 1, delimiter });

    expect(parsed.rejected).toEqual([]);
    expect(parsed.entries.phones).toBe('+447400123456,+447400123457');
    expect(JSON.parse(parsed.entries.values)).toEqual([['Ada'], [secondName]]);
  });

  it('should reject an NDJSON row whose field holds an unpaired surrogate, and keep an emoji', () => {
    const lines = ['{"phone":"+14155550100","name":"x\\ud800y"}', '{"phone":"+14155550101","name":"Zoë 😀"}'];
    const parsed = parseUploadSegment(segment(`${lines.join('\n')}\n`, 'ndjson'));

    expect(parsed.rejected).toEqual([
      expect.objectContaining({
        row: 1,
        column: 1,
        input: 'x\uFFFDy',
        reason: 'contains a NUL byte or an unpaired surrogate',
      }),
    ]);
    expect(JSON.parse(parsed.entries.values)).toEqual([['Zoë 😀']]);
  });

  it('should keep a rejected input the database can store when the phone cell or the line is bad', () => {
    const parsed = parseUploadSegment(segment('+1415\u0000555,Ann\n', 'csv'));
    expect(parsed.rejected).toEqual([expect.objectContaining({ row: 1, column: 0, input: '+1415\uFFFD555' })]);

    const ndjson = parseUploadSegment(segment('not json \u0000\n', 'ndjson'));
    expect(ndjson.rejected).toEqual([{ row: 1, column: -1, input: 'not json \uFFFD', reason: 'not valid JSON' }]);
  });
});
