import { SegmentedMessage } from 'sms-segments-calculator';
import { countSegments as sandboxUnits } from '../sandbox/sandbox-message-request';
import { MAX_COUNTABLE_LENGTH, TextTooLongToCountError, countSegments, smartEncode } from './segment-counter';

const EMOJI = '😀'; // 2 UTF-16 units, 1 grapheme
const DEV = '👩‍💻'; // woman + ZWJ + laptop: 5 UTF-16 units, 1 grapheme
const FLAG = '🇫🇷'; // two regional indicators: 4 UTF-16 units, 1 grapheme
const NBSP = '\u00a0';
const a = (n: number): string => 'a'.repeat(n);

// Deterministic PRNG (mulberry32) so a failing random case can be replayed.
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

describe('countSegments', () => {
  describe('GSM-7', () => {
    it.each([
      [160, 1],
      [161, 2],
      [306, 2],
      [307, 3],
      [1_600, 11],
    ])('should count %i basic characters as %i segment(s)', (length, segments) => {
      expect(countSegments(a(length))).toMatchObject({ encoding: 'GSM7', characters: length, segments });
    });

    it('should count an extension character as two septets (80 € fit, 81 do not)', () => {
      expect(countSegments('€'.repeat(80))).toMatchObject({ encoding: 'GSM7', characters: 160, segments: 1 });
      expect(countSegments('€'.repeat(81))).toMatchObject({ encoding: 'GSM7', characters: 162, segments: 2 });
    });

    it('should never split an escape pair across segments (152 a + € + 152 a is 3 segments)', () => {
      expect(countSegments(a(152) + '€' + a(152))).toMatchObject({ encoding: 'GSM7', characters: 306, segments: 3 });
    });

    it('should treat form feed as an extension character', () => {
      expect(countSegments('a\fb')).toMatchObject({ encoding: 'GSM7', characters: 4, unicodeCharacters: [] });
      expect(countSegments('\f'.repeat(81)).segments).toBe(2);
    });

    it('should count \\r\\n as two basic characters that may be split', () => {
      expect(countSegments('a\r\nb')).toMatchObject({ encoding: 'GSM7', characters: 4, segments: 1 });
      expect(countSegments(a(159) + '\r\n')).toMatchObject({ characters: 161, segments: 2 });
    });

    it('should keep upper-case Ç (it is in the GSM basic set)', () => {
      expect(countSegments('Ça')).toMatchObject({ encoding: 'GSM7', characters: 2 });
    });
  });

  describe('UCS-2', () => {
    it('should switch to UCS-2 for lower-case ç, which is not in the GSM basic set', () => {
      expect(countSegments('ça va')).toMatchObject({ encoding: 'UCS2', characters: 5, unicodeCharacters: ['ç'] });
    });

    it('should switch to UCS-2 for a no-break space unless smart-encoded', () => {
      expect(countSegments(`a${NBSP}b`)).toMatchObject({ encoding: 'UCS2', unicodeCharacters: [NBSP] });
      // Calculator 1.3.0 maps NBSP to TWO spaces (Twilio's published list says one); we follow the calculator.
      expect(countSegments(`a${NBSP}b`, { smartEncoding: true })).toMatchObject({
        encoding: 'GSM7',
        text: 'a  b',
        characters: 4,
      });
    });

    it.each([
      [70, 1],
      [71, 2],
      [134, 2],
      [135, 3],
      [737, 11],
      [738, 12],
    ])('should count %i UCS-2 characters as %i segment(s)', (length, segments) => {
      expect(countSegments('я'.repeat(length))).toMatchObject({ encoding: 'UCS2', characters: length, segments });
    });

    it('should count an emoji as two code units (35 fit in one segment, 36 do not)', () => {
      expect(countSegments(EMOJI.repeat(35))).toMatchObject({ characters: 35, segments: 1 });
      expect(countSegments(EMOJI.repeat(36))).toMatchObject({ characters: 36, segments: 2 });
    });

    it('should never split a surrogate pair (66 a + 😀 + 66 a + я is 3 segments)', () => {
      expect(countSegments(a(66) + EMOJI + a(66) + 'я')).toMatchObject({ encoding: 'UCS2', segments: 3 });
      // 134 units = 2 × 67, but the emoji cannot straddle the boundary after 66 units:
      expect(countSegments(a(66) + EMOJI + a(66)).segments).toBe(3);
      expect(countSegments(a(65) + EMOJI + a(67)).segments).toBe(2);
    });

    it('should move a whole ZWJ sequence to the next segment at a boundary', () => {
      // 66 + 5 = 71 units: 2 segments; the 5-unit grapheme starts segment 2, so 62 more units fit there...
      expect(countSegments(a(66) + DEV + a(62))).toMatchObject({ characters: 129, segments: 2 });
      // ...whereas naive unit counting (66 + 5 + 63 = 134 = 2×67) would also say 2 and miss this third one.
      expect(countSegments(a(66) + DEV + a(63))).toMatchObject({ segments: 3 });
      expect(countSegments(a(62) + DEV + a(67))).toMatchObject({ segments: 2 });
    });

    it('should keep a flag (two regional indicators) whole', () => {
      expect(countSegments(a(65) + FLAG + a(65))).toMatchObject({ characters: 131, segments: 3 });
      expect(countSegments(a(63) + FLAG + a(67))).toMatchObject({ characters: 131, segments: 2 });
    });

    it('should count extension characters as one unit in UCS-2', () => {
      expect(countSegments('€'.repeat(69) + 'я')).toMatchObject({ encoding: 'UCS2', characters: 70, segments: 1 });
    });

    it('should list each character forcing UCS-2 once, in order of first appearance', () => {
      expect(countSegments(`ç${EMOJI}aç${DEV}${EMOJI}`).unicodeCharacters).toEqual(['ç', EMOJI, DEV]);
    });

    it.each([
      [101, 2],
      [201, 3],
      [401, 6],
      [701, 11],
    ])(
      'should split a grapheme of %i units, too long for any segment, at code units (%i segments)',
      (units, segments) => {
        // 'a' + combining marks is one grapheme; 67 units fit in a concatenated segment, so at least ⌈units/67⌉.
        const zalgo = 'a' + '\u0301'.repeat(units - 1);
        expect(countSegments(zalgo)).toMatchObject({ encoding: 'UCS2', characters: 1, segments });
      },
    );

    it('should bill what the sandbox bills for a grapheme longer than a segment', () => {
      for (const text of [
        'a' + '\u0301'.repeat(700),
        a(10) + 'e' + '\u0301'.repeat(300) + a(5),
        EMOJI + '\u0301'.repeat(140),
      ]) {
        expect(countSegments(text).segments).toBe(sandboxUnits(text));
      }
    });
  });

  describe('smart encoding', () => {
    it('should replace look-alikes and report the saved segments', () => {
      const text = `“Sale” — it’s 50%${NBSP}off…`.padEnd(100, '!');
      const plain = countSegments(text);
      const smart = countSegments(text, { smartEncoding: true });

      expect(plain).toMatchObject({ encoding: 'UCS2', segments: 2, smartEncodingSavedSegments: 0 });
      expect(smart).toMatchObject({ encoding: 'GSM7', segments: 1, smartEncodingSavedSegments: 1 });
      expect(smart.text.startsWith(`"Sale" - it's 50%  off...`)).toBe(true);
    });

    it('should remove zero-width characters', () => {
      expect(smartEncode('a\u200bb\ufeffc')).toBe('abc');
    });

    it('should leave emoji and non-mapped characters alone and may cost segments', () => {
      // Still UCS-2 because of the emoji; … → ... lengthens it from 61 to 121 units.
      const count = countSegments(EMOJI + '…'.repeat(30) + a(29), { smartEncoding: true });
      expect(count).toMatchObject({ encoding: 'UCS2', segments: 2, smartEncodingSavedSegments: -1 });
    });

    it('should return the text unchanged and save nothing when not asked', () => {
      expect(countSegments('“hi”')).toMatchObject({ text: '“hi”', smartEncodingSavedSegments: 0 });
    });
  });

  describe('limits', () => {
    it('should refuse texts far beyond any sendable length instead of blocking', () => {
      expect(() => countSegments(a(MAX_COUNTABLE_LENGTH + 1))).toThrow(TextTooLongToCountError);
      expect(() => countSegments('…'.repeat(2_000), { smartEncoding: true })).toThrow(/6,000 characters/);
      expect(countSegments(a(MAX_COUNTABLE_LENGTH)).segments).toBe(33);
    });

    it('should count the empty text as one GSM segment (checkMessageLength rejects it)', () => {
      expect(countSegments('')).toMatchObject({ encoding: 'GSM7', characters: 0, segments: 1 });
    });
  });

  describe('agreement with sms-segments-calculator 1.3.0', () => {
    const GSM_BASIC =
      '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
    const GSM_EXTENSION = '\f^{}\\[~]|€';
    const ACCENTED = ['ç', 'á', 'ô', 'ł', 'ş', 'ő', 'ê', 'e\u0301'];
    const EMOJIS = [EMOJI, '👍🏽', '❤️', DEV, '👨‍👩‍👧‍👦', FLAG, '🏳️‍🌈', '1️⃣'];
    const CJK = ['中', '文', '日', '本', '한', '글', 'я', 'Ж'];
    const LOOK_ALIKES = [NBSP, '‘', '’', '“', '”', '–', '—', '…', '\u200b', '\u2009', '«', '»', '½', 'Ａ'];
    // Around each boundary: 67/70 (UCS-2), 134/135, 153/160 (GSM-7), 306/307, and the 1,600 / 11-segment limit.
    const LENGTHS: Array<[number, number]> = [
      [60, 75],
      [130, 140],
      [150, 165],
      [300, 310],
      [1_590, 1_610],
    ];

    function pick<T>(random: () => number, items: ArrayLike<T>): T {
      return items[Math.floor(random() * items.length)];
    }

    function generate(random: () => number): string {
      // Long messages are few because the calculator itself needs ~5 ms for each of them.
      const [min, max] = LENGTHS[random() < 0.05 ? 4 : Math.floor(random() * 4)];
      const length = min + Math.floor(random() * (max - min + 1));
      const profile = random();
      const sprinkle = (p: number, weight: number): number => (random() < p ? random() * weight : 0);
      // Per message random weights: pure GSM (near the 160/153 boundaries), GSM plus look-alikes
      // (UCS-2 unless smart-encoded), or everything mixed.
      const pools: Array<[number, () => string]> = [
        [5 + random() * 10, () => pick(random, GSM_BASIC)],
        [random() * 2, () => pick(random, GSM_EXTENSION)],
        [sprinkle(profile < 0.3 ? 0 : 0.2, 0.3), () => '\r\n'],
        [sprinkle(profile < 0.3 ? 0 : 1, 0.5), () => pick(random, LOOK_ALIKES)],
        [sprinkle(profile < 0.6 ? 0 : 0.5, 1), () => pick(random, ACCENTED)],
        [sprinkle(profile < 0.6 ? 0 : 0.6, length > 1_000 ? 0.05 : 1), () => pick(random, EMOJIS)],
        [sprinkle(profile < 0.6 ? 0 : 0.4, 2), () => pick(random, CJK)],
      ];
      const total = pools.reduce((sum, [weight]) => sum + weight, 0);
      let text = '';
      for (let i = 0; i < length; i++) {
        let roll = random() * total;
        const pool = pools.find(([weight]) => (roll -= weight) < 0) ?? pools[0];
        text += pool[1]();
      }
      return text;
    }

    // 600 messages keep the suite at ~3 s (the calculator needs ~5 ms per long message); the boundaries are
    // also pinned by the explicit cases above.
    const MESSAGES = 600;
    const random = prng(20_240_501);
    const messages = Array.from({ length: MESSAGES }, () => generate(random));

    it('should never count fewer segments than the sandbox bills for the 600 messages', () => {
      const below = messages.filter((text) => countSegments(text).segments < sandboxUnits(text));
      expect(below.slice(0, 3)).toEqual([]);
    });

    it.each([
      ['without', false],
      ['with', true],
    ])('should agree %s smart encoding on 600 seeded random messages', (_label, smartEncoding) => {
      const mismatches: unknown[] = [];
      let ucs2 = 0;
      let savedSome = 0;
      for (const text of messages) {
        const library = new SegmentedMessage(text, 'auto', smartEncoding);
        const saved = smartEncoding ? new SegmentedMessage(text).segmentsCount - library.segmentsCount : 0;
        const expected = {
          encoding: library.encodingName === 'UCS-2' ? 'UCS2' : 'GSM7',
          characters: library.numberOfCharacters,
          segments: library.segmentsCount,
          text: library.graphemes.join(''),
          unicodeCharacters: [...new Set(library.getNonGsmCharacters())],
          smartEncodingSavedSegments: saved,
        };
        const actual = countSegments(text, { smartEncoding });
        // Collected rather than asserted one by one: hundreds of expect() calls on long strings are slow.
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          mismatches.push({ text, actual, expected });
        }
        if (actual.encoding === 'UCS2') {
          ucs2++;
        }
        if (saved > 0) {
          savedSome++;
        }
      }
      expect(mismatches.slice(0, 3)).toEqual([]);
      // The generator must exercise both encodings (and smart encoding must matter somewhere).
      expect(ucs2).toBeGreaterThan(MESSAGES / 6);
      expect(messages.length - ucs2).toBeGreaterThan(MESSAGES / 6);
      if (smartEncoding) {
        expect(savedSome).toBeGreaterThan(MESSAGES / 10);
      }
    });
  });
});
