import { parseRecipientRows, parseRecipients } from './recipients-file';

describe(parseRecipients.name, () => {
  it('should read one number per line from a plain file, ignoring blank lines and CRLF', () => {
    expect(parseRecipients('+14155550100\r\n\r\n+442071838750\n  +33612345678  \n')).toEqual({
      recipients: ['+14155550100', '+442071838750', '+33612345678'],
      headerSkipped: false,
    });
  });

  it('should take the first column of a CSV and skip a header line without digits', () => {
    expect(parseRecipients('phone,name\n+14155550100,Ann\n+442071838750,Bob\n')).toEqual({
      recipients: ['+14155550100', '+442071838750'],
      headerSkipped: true,
    });
  });

  it('should handle quoted fields with delimiters, doubled quotes and line breaks', () => {
    const csv = '"phone number","note"\n"+1 (415) 555-0100","says ""hi"", twice"\n"+44 20 7183 8750","two\nlines"\n';
    expect(parseRecipients(csv).recipients).toEqual(['+1 (415) 555-0100', '+44 20 7183 8750']);
  });

  it('should detect semicolon and tab delimiters from the first line', () => {
    expect(parseRecipients('+14155550100;Ann\n+14155550101;Bob').recipients).toEqual(['+14155550100', '+14155550101']);
    expect(parseRecipients('+14155550100\tAnn\n+14155550101\tBob').recipients).toEqual([
      '+14155550100',
      '+14155550101',
    ]);
  });

  it('should keep an invalid first entry that contains digits, for the service to reject with a reason', () => {
    expect(parseRecipients('12ab\n+14155550100\n')).toEqual({
      recipients: ['12ab', '+14155550100'],
      headerSkipped: false,
    });
  });

  it('should strip a UTF-8 byte order mark and accept a last line without a newline', () => {
    expect(parseRecipients('\uFEFFnumber\n+14155550100').recipients).toEqual(['+14155550100']);
  });

  it('should return no recipients for an empty file', () => {
    expect(parseRecipients('')).toEqual({ recipients: [], headerSkipped: false });
  });
});

describe(parseRecipientRows.name, () => {
  it('should number rows as records of the file: header and blank lines counted, a quoted line break not', () => {
    expect(parseRecipientRows('phone,note\n+14155550100,a\n\n"+14155550101","two\nlines"\nnope,b\n')).toEqual({
      rows: [
        { row: 2, value: '+14155550100' },
        { row: 4, value: '+14155550101' },
        { row: 5, value: 'nope' },
      ],
      headerSkipped: true,
    });
  });
});
