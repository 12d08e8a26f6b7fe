import { describeUpload, renderUploadLine, usesRecipientList } from './recipient-list-upload';

describe('recipient list upload (CLI)', () => {
  it('should draw the upload progress in bytes', () => {
    expect(renderUploadLine('guests.csv', 0, 10_000_000)).toBe(
      `uploading guests.csv [${'-'.repeat(30)}] 0% 0.0/10.0 MB`,
    );
    expect(renderUploadLine('guests.csv', 4_000_000, 10_000_000)).toBe(
      `uploading guests.csv [${'#'.repeat(12)}${'-'.repeat(18)}] 40% 4.0/10.0 MB`,
    );
    expect(renderUploadLine('empty.csv', 0, 0)).toContain('100%');
  });

  it('should upload when the column is named or the text is a template, not for plain numbers files', () => {
    expect(usesRecipientList({ text: 'Hello' })).toBe(false);
    expect(usesRecipientList({ text: 'Hello', phoneColumn: 'mobile' })).toBe(true);
    expect(usesRecipientList({ text: 'Hi {{ name }}' })).toBe(true);
    expect(usesRecipientList({ text: '{% if vip %}Hi{% endif %}' })).toBe(true);
  });

  it('should print the counts and the first rejected rows with row and column', () => {
    const lines = describeUpload({
      id: 'l1',
      phoneColumn: 'phone',
      fields: ['name'],
      rows: 3,
      recipients: 1,
      duplicates: 1,
      rejected: 2,
      rejectedRows: [
        { row: 3, column: 'phone', input: '+14155552671', reason: 'duplicate of +14155552671' },
        { row: 4, column: null, input: 'x', reason: 'has 1 columns; the header has 2' },
      ],
    });
    expect(lines).toEqual([
      'List l1: 1 recipients of 3 rows (phone column "phone", fields name)',
      '  rejected rows: 2 (1 duplicates)',
      '    row 3, phone: "+14155552671": duplicate of +14155552671',
      '    row 4: "x": has 1 columns; the header has 2',
    ]);
  });
});
