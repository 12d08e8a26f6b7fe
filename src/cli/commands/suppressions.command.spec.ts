import { csvField } from './suppressions.command';

describe('csvField', () => {
  it('should leave plain fields alone and quote the others (RFC 4180)', () => {
    expect(csvField('+447400000001')).toBe('+447400000001');
    expect(csvField('opt-out: "STOP" from recipient')).toBe('"opt-out: ""STOP"" from recipient"');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
  });
});
