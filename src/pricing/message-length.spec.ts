import { checkMessageLength } from './message-length';
import { SegmentCount, countSegments } from './segment-counter';

const check = (text: string, smartEncoding = false) => checkMessageLength(countSegments(text, { smartEncoding }));

describe('checkMessageLength', () => {
  it.each([
    ['empty', ''],
    ['spaces and newlines', ' \n\t\r\n '],
    ['no-break and zero-width spaces', '\u00a0\u200b\ufeff'],
  ])('should reject %s text', (_name, text) => {
    expect(check(text)).toEqual({ ok: false, limit: 'text is empty or only whitespace' });
  });

  it('should reject text that smart encoding empties', () => {
    expect(check('\u200b\u2060', true)).toEqual({ ok: false, limit: 'text is empty or only whitespace' });
  });

  describe('GSM-7', () => {
    it('should accept 1,600 characters (11 segments)', () => {
      expect(check('a'.repeat(1_600))).toEqual({ ok: true });
    });

    it('should reject 1,601 characters and name the limit', () => {
      expect(check('a'.repeat(1_601))).toEqual({
        ok: false,
        limit: "text is 1,601 GSM-7 characters; Plivo's limit is 1,600 GSM-7 characters (737 for UCS-2)",
      });
    });

    it('should count extension characters as two', () => {
      expect(check('€'.repeat(800))).toEqual({ ok: true });
      expect(check('€'.repeat(801))).toMatchObject({ ok: false, limit: expect.stringContaining('1,602 GSM-7') });
    });
  });

  describe('UCS-2', () => {
    it('should accept 737 UTF-16 units and reject 738, whatever their UTF-8 length', () => {
      // No UTF-8 byte bound: ç + 736 a is 738 UTF-8 bytes but 737 UCS-2 characters, which Plivo documents as fine.
      expect(check('ç' + 'a'.repeat(736))).toEqual({ ok: true });
      expect(check('ç' + 'a'.repeat(737))).toMatchObject({ ok: false, limit: expect.stringContaining('738 UCS-2') });
    });

    it('should reject 812 UCS-2 characters and name the limit', () => {
      expect(check('я'.repeat(812))).toEqual({
        ok: false,
        limit: "text is 812 UCS-2 characters; Plivo's limit is 737 UCS-2 characters (1,600 for GSM-7)",
      });
    });

    it('should count an emoji as two UCS-2 characters', () => {
      expect(check('😀'.repeat(369))).toMatchObject({ ok: false, limit: expect.stringContaining('738 UCS-2') });
    });

    it('should accept 400 Cyrillic characters (960 UTF-8 bytes) by the documented limit (plivo-python#298 is unconfirmed)', () => {
      expect(check('№—Їжі'.repeat(80))).toEqual({ ok: true });
    });

    it('should accept Cyrillic and CJK up to 737 characters', () => {
      expect(check('я'.repeat(737))).toEqual({ ok: true });
      expect(check('中'.repeat(737))).toEqual({ ok: true });
      expect(check('я'.repeat(738))).toMatchObject({ ok: false, limit: expect.stringContaining('738 UCS-2') });
    });

    it('should apply the segment limit to a grapheme split across segments', () => {
      const wholeGrapheme = 'a' + '\u0301'.repeat(66); // 67 units: fills a segment, kept whole
      const splitGrapheme = 'a' + '\u0301'.repeat(131); // 132 units: longer than a segment, split at code units
      expect(check('a' + '\u0301'.repeat(736))).toEqual({ ok: true }); // 737 units in 11 segments
      // 2 + 9 × 67 + 132 = 737 units, but the split grapheme starts after 10 full segments: 12 are needed.
      expect(check('яя' + wholeGrapheme.repeat(9) + splitGrapheme)).toEqual({
        ok: false,
        limit: "text needs 12 segments; Plivo's limit is 11 segments (1,600 GSM-7 or 737 UCS-2 characters)",
      });
    });

    it('should check the smart-encoded text that will be sent', () => {
      const text = '“quoted” — '.repeat(100); // 1,100 UCS-2 characters before smart encoding
      expect(check(text)).toMatchObject({ ok: false });
      expect(check(text, true)).toEqual({ ok: true });
    });
  });

  it('should reject more than 11 segments whatever the character count', () => {
    const count: SegmentCount = {
      encoding: 'UCS2',
      characters: 700,
      segments: 12,
      text: 'x'.repeat(700),
      unicodeCharacters: [],
      smartEncodingSavedSegments: 0,
    };
    expect(checkMessageLength(count)).toEqual({
      ok: false,
      limit: "text needs 12 segments; Plivo's limit is 11 segments (1,600 GSM-7 or 737 UCS-2 characters)",
    });
  });
});
