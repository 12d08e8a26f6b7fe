import { SegmentedMessage } from 'sms-segments-calculator';
import { measureText, packSegments } from './segment-packing';

// The reference: what measureText must reproduce exactly, field by field.
function reference(text: string) {
  const message = new SegmentedMessage(text, 'auto', false);
  return {
    encoding: message.encodingName === 'UCS-2' ? 'UCS2' : 'GSM7',
    characters: message.numberOfCharacters,
    segments: message.segmentsCount,
    unicodeCharacters: [...new Set(message.getNonGsmCharacters())],
  };
}

function mismatchesOf(texts: Iterable<string>): unknown[] {
  const mismatches: unknown[] = [];
  for (const text of texts) {
    const actual = measureText(text);
    const expected = reference(text);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      mismatches.push({ text, actual, expected });
    }
  }
  return mismatches;
}

// Segment boundaries of both encodings (GSM-7: 160, then 153 per segment; UCS-2: 70, then 67), up to 11 segments.
const BOUNDARIES = [
  ...Array.from({ length: 11 }, (_, k) => (k === 0 ? 160 : 153 * (k + 1))),
  ...Array.from({ length: 11 }, (_, k) => (k === 0 ? 70 : 67 * (k + 1))),
];
const SPECIALS = [
  '€', // GSM extension: two septets, never split
  '\f',
  '^',
  '\r\n', // two GSM characters the reference splits
  '😀', // surrogate pair
  '👍🏽', // emoji + skin tone
  '👩‍💻', // ZWJ sequence
  '👨‍👩‍👧‍👦',
  '🇫🇷', // flag: two regional indicators
  '1️⃣', // keycap
  'e\u0301', // GSM letter + combining mark: one grapheme of two units
  'ç', // not in the GSM basic set
  '中',
  '\u00a0',
];

describe('measureText (our counter) against sms-segments-calculator 1.3.0', () => {
  // The reference needs 5-40 ms per text on a busy machine: the corpus is aimed at the boundaries rather than big.
  it('should agree on plain GSM-7 and UCS-2 text at every segment boundary up to the 11-segment limits', () => {
    const lengths = BOUNDARIES.flatMap((b) => [b - 2, b - 1, b, b + 1, b + 2]);
    expect(mismatchesOf(lengths.map((n) => 'a'.repeat(n)))).toEqual([]);
    expect(mismatchesOf(lengths.map((n) => 'я'.repeat(n)))).toEqual([]);
    expect(mismatchesOf(['', '\r\n', 'a\r\nb', '\n\r'])).toEqual([]);
  });

  it.each(SPECIALS.map((s) => [JSON.stringify(s), s]))(
    'should agree with %s straddling each of the first segment boundaries',
    (_label, special) => {
      const texts: string[] = [];
      for (const boundary of [70, 134, 160, 201, 306]) {
        for (let at = boundary - 2; at <= boundary; at++) {
          // GSM filler (the special character decides the encoding) and UCS-2 filler.
          texts.push('a'.repeat(at) + special + 'a'.repeat(3));
          texts.push('я'.repeat(at) + special + 'я'.repeat(3));
        }
      }
      expect(mismatchesOf(texts)).toEqual([]);
    },
  );

  it('should agree on 500 seeded random texts mixing every kind of character', () => {
    const random = prng(13);
    const pools = ['abcXYZ 019.,!?@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉÄÖÑÜ§¿äöñüà', '\f^{}\\[~]|€', ...SPECIALS];
    const texts = Array.from({ length: 500 }, () => {
      const length = random() < 0.05 ? 1_000 + Math.floor(random() * 600) : Math.floor(random() * 480);
      // Two in five texts stay in the GSM alphabet (basic, extension, \r\n); the rest mix everything.
      const gsmOnly = random() < 0.4;
      const mix = pools.map((_, i) => (random() < 0.6 || (gsmOnly && i > 5) ? 0 : random()));
      mix[0] += 3;
      const total = mix.reduce((a, b) => a + b, 0);
      let text = '';
      while (text.length < length) {
        let roll = random() * total;
        const pool = pools[mix.findIndex((w) => (roll -= w) < 0)] ?? pools[0];
        const chars = [...pool];
        text += pool.length > 4 ? chars[Math.floor(random() * chars.length)] : pool;
      }
      return text;
    });
    expect(mismatchesOf(texts)).toEqual([]);
    // Both encodings are exercised.
    expect(texts.filter((t) => measureText(t).encoding === 'GSM7').length).toBeGreaterThan(50);
    expect(texts.filter((t) => measureText(t).encoding === 'UCS2').length).toBeGreaterThan(50);
  });
});

describe('measureText with a grapheme longer than a concatenated segment (67 UCS-2 units)', () => {
  const marks = (n: number): string => '\u0301'.repeat(n);
  const VS17 = '\u{E0100}'; // a variation selector outside the BMP: a combining surrogate pair

  it('should keep a grapheme of up to 70 units whole in a single-segment message, as the reference does', () => {
    expect(measureText('a' + marks(69))).toMatchObject({ characters: 1, segments: 1 });
    expect(measureText('a' + marks(69))).toEqual(reference('a' + marks(69)));
  });

  it('should split a longer grapheme at code units, filling the segment it starts in', () => {
    expect(measureText('a' + marks(70)).segments).toBe(2);
    expect(measureText('a' + marks(133)).segments).toBe(2);
    expect(measureText('a' + marks(134)).segments).toBe(3);
    // 10 units, then a 124-unit grapheme: 134 units = 2 × 67 exactly.
    expect(measureText('я'.repeat(10) + 'a' + marks(123)).segments).toBe(2);
  });

  it('should not overfill the second segment with a segment-sized grapheme that moves over', () => {
    // я | 67-unit grapheme | яяя: the reference moves the grapheme and two я into one segment and says 2.
    expect(measureText('я' + 'a' + marks(66) + 'яяя').segments).toBe(3);
  });

  it('should never split a surrogate pair inside such a grapheme', () => {
    // The pair would take units 67 and 68: it moves to the second segment, so 134 units need 3.
    expect(measureText('a' + marks(65) + VS17 + marks(66))).toMatchObject({ characters: 1, segments: 3 });
    expect(measureText('a' + marks(64) + VS17 + marks(67))).toMatchObject({ characters: 1, segments: 2 });
  });
});

describe('packSegments', () => {
  it('should move the characters that no longer fit once the first segment gets its header', () => {
    expect(packSegments(new Array(160).fill(7))).toBe(1);
    expect(packSegments(new Array(161).fill(7))).toBe(2);
    expect(packSegments(new Array(306).fill(7))).toBe(2);
    expect(packSegments(new Array(307).fill(7))).toBe(3);
    expect(packSegments([])).toBe(1);
  });
});

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
