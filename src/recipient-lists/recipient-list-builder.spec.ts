import { RecipientListBuilder, TooManyRecipientsError } from './recipient-list-builder';

describe(RecipientListBuilder.name, () => {
  const header = ['name', 'phone', 'party'];

  it('should normalise numbers, keep fields, and reject bad rows with row, column and reason', () => {
    const builder = new RecipientListBuilder(header, 1, 'US', 10);
    builder.addRow(2, ['Ada', '+1 415 555 2671', '4']);
    builder.addRow(3, ['Bob', '(415) 555-2672', '2']);
    builder.addRow(4, ['Dup', '+14155552671', '1']);
    builder.addRow(5, ['Bad', '12', '1']);
    builder.addRow(6, ['Short']);
    builder.addRow(7, ['Long', '+14155552673', 'x'.repeat(1_001)]);
    builder.rejectRow(8, 'not json', 'not valid JSON');
    expect(builder.takeBatch()).toEqual({
      firstPosition: 0,
      rows: [2, 3],
      phones: ['+14155552671', '+14155552672'],
      countries: ['US', 'US'],
      values: [
        ['Ada', '4'],
        ['Bob', '2'],
      ],
    });
    expect(builder.takeBatch().firstPosition).toBe(2);
    expect(builder).toMatchObject({ rowCount: 7, validCount: 2, duplicateCount: 1, rejectedCount: 5 });
    expect(builder.rejectedRows).toEqual([
      { row: 4, column: 'phone', input: '+14155552671', reason: 'duplicate of +14155552671' },
      { row: 5, column: 'phone', input: '12', reason: 'not a valid phone number' },
      { row: 6, column: null, input: 'Short', reason: 'has 1 columns; the header has 3' },
      { row: 7, column: 'party', input: `${'x'.repeat(64)}…`, reason: 'longer than 1000 characters' },
      { row: 8, column: null, input: 'not json', reason: 'not valid JSON' },
    ]);
    expect(builder.countries).toEqual({ US: 2 });
  });

  it('should stop past the largest list', () => {
    const builder = new RecipientListBuilder(['phone'], 0, undefined, 1);
    builder.addRow(2, ['+14155552671']);
    expect(() => builder.addRow(3, ['+14155552672'])).toThrow(TooManyRecipientsError);
  });
});
