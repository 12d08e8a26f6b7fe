import { RecipientListBuilder, TooManyRecipientsError } from './recipient-list-builder';
import { parseUploadSegment } from './upload-segment';

const header = ['name', 'phone', 'party'];

function segment(csv: string, segmentNumber = 0) {
  return parseUploadSegment({
    segment: segmentNumber,
    bytes: Buffer.from(csv),
    format: 'csv',
    header,
    phoneIndex: 1,
    defaultCountry: 'US',
  });
}

describe(RecipientListBuilder.name, () => {
  it('should keep fields, drop duplicates across segments, and report rejected rows in row order', () => {
    const builder = new RecipientListBuilder(header, 1, 10);
    const first = builder.addSegment(
      1,
      segment(['Ada,+1 415 555 2671,4', 'Bob,(415) 555-2672,2', 'Dup,+14155552671,1', 'Bad,12,1'].join('\n')),
    );
    // Row 6 is a duplicate with a long field: a duplicate first. Row 7's long field rejects it.
    const second = builder.addSegment(
      5,
      segment(
        [
          'Short',
          `Dup2,(415) 555-2672,${'y'.repeat(1_001)}`,
          `Long,+14155552673,${'x'.repeat(1_001)}`,
          'Cy,+14155552674,3',
        ].join('\r\n'),
        1,
      ),
    );
    // The first segment's duplicate is cut out of the entries its worker encoded; the second has none.
    expect(first).toEqual({
      firstPosition: 0,
      rowBase: 1,
      rows: '1,2',
      phones: '+14155552671,+14155552672',
      countries: 'US,US',
      values: JSON.stringify([
        ['Ada', '4'],
        ['Bob', '2'],
      ]),
    });
    expect(second).toEqual({
      firstPosition: 2,
      rowBase: 5,
      rows: '4',
      phones: '+14155552674',
      countries: 'US',
      values: JSON.stringify([['Cy', '3']]),
    });
    expect(builder).toMatchObject({ rowCount: 8, validCount: 3, duplicateCount: 2, rejectedCount: 5 });
    expect(builder.rejectedRows).toEqual([
      { row: 4, column: 'phone', input: '+14155552671', reason: 'duplicate of +14155552671' },
      { row: 5, column: 'phone', input: '12', reason: 'not a valid phone number' },
      { row: 6, column: null, input: 'Short', reason: 'has 1 columns; the header has 3' },
      { row: 7, column: 'phone', input: '(415) 555-2672', reason: 'duplicate of +14155552672' },
      { row: 8, column: 'party', input: `${'x'.repeat(64)}…`, reason: 'longer than 1000 characters' },
    ]);
    expect(builder.countries).toEqual({ US: 3 });
  });

  it('should answer no batch for a segment without a new entry', () => {
    const builder = new RecipientListBuilder(header, 1, 10);
    builder.addSegment(1, segment('Ada,+1 415 555 2671,4'));
    expect(builder.addSegment(2, segment(['Ada,+14155552671,4', 'Bad,12,1'].join('\n'), 1))).toBeNull();
    expect(builder).toMatchObject({ rowCount: 3, validCount: 1, duplicateCount: 1, rejectedCount: 2 });
  });

  it('should stop past the largest list', () => {
    const builder = new RecipientListBuilder(['phone'], 0, 1);
    const parsed = parseUploadSegment({
      segment: 0,
      bytes: Buffer.from('+14155552671\n+14155552672\n'),
      format: 'csv',
      header: ['phone'],
      phoneIndex: 0,
    });
    expect(() => builder.addSegment(1, parsed)).toThrow(TooManyRecipientsError);
  });
});
