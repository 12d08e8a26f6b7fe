import DecimalJs from 'decimal.js';
import {
  Decimal,
  formatAmount,
  formatExactAmount,
  multiplyRate,
  roundForDisplay,
  sumDecimals,
  toDecimal,
} from './money';

describe('money', () => {
  describe(toDecimal.name, () => {
    it('should accept strings, numbers and Decimals exactly', () => {
      expect(toDecimal('0.00350').toString()).toBe('0.0035');
      expect(toDecimal(0.1).plus(toDecimal(0.2)).toString()).toBe('0.3');
      expect(toDecimal(new DecimalJs('1.5')).toString()).toBe('1.5');
    });

    it.each(['abc', '', NaN, Infinity, '1,5'])('should reject %p', (value) => {
      expect(() => toDecimal(value)).toThrow(RangeError);
    });

    it('should not be affected by global Decimal settings', () => {
      const saved = DecimalJs.precision;
      DecimalJs.set({ precision: 5 });
      try {
        expect(toDecimal('123456.789').times(3).toString()).toBe('370370.367');
      } finally {
        DecimalJs.set({ precision: saved });
      }
    });
  });

  describe(multiplyRate.name, () => {
    it('should multiply without float drift', () => {
      // In floating point 0.0035 * 3 * 7 = 0.07350000000000001.
      expect(multiplyRate('0.0035', 3, 7).toString()).toBe('0.0735');
      expect(multiplyRate('0.00350', 11, 1_000_000).toString()).toBe('38500');
    });

    it.each([
      ['units', -1, 1],
      ['units', 1.5, 1],
      ['recipients', 1, Number.NaN],
    ])('should reject a bad %s count', (name, units, recipients) => {
      expect(() => multiplyRate('0.1', units, recipients)).toThrow(new RegExp(`^${name} must be`));
    });
  });

  describe(sumDecimals.name, () => {
    it('should sum exactly', () => {
      expect(sumDecimals(Array.from({ length: 10 }, () => '0.1')).toString()).toBe('1');
      expect(sumDecimals([]).toString()).toBe('0');
      expect(sumDecimals(['0.00001', 2, new Decimal('3')]).toString()).toBe('5.00001');
    });
  });

  describe(roundForDisplay.name, () => {
    it('should round half-up to 5 decimals', () => {
      expect(roundForDisplay('0.000015')).toBe(0.00002);
      expect(roundForDisplay('0.000014999')).toBe(0.00001);
      expect(roundForDisplay('38500')).toBe(38500);
      expect(roundForDisplay('1.005')).toBe(1.005);
      expect(Object.is(roundForDisplay('-0.000001'), 0)).toBe(true);
    });
  });

  describe(formatAmount.name, () => {
    it('should always print 5 decimals', () => {
      expect(formatAmount('0.0385')).toBe('0.03850');
      expect(formatAmount(38500)).toBe('38500.00000');
      expect(formatAmount('0.123456')).toBe('0.12346');
      expect(formatAmount('0.123455')).toBe('0.12346');
      expect(formatAmount('-0.000001')).toBe('0.00000');
      expect(formatAmount('123456789012.123456')).toBe('123456789012.12346');
    });
  });

  describe(formatExactAmount.name, () => {
    it('should print at least 5 decimals and every further digit the amount has, never rounding', () => {
      expect(formatExactAmount('0.0466')).toBe('0.04660');
      expect(formatExactAmount(0.046599)).toBe('0.046599');
      expect(formatExactAmount('4.4699999')).toBe('4.4699999');
      expect(formatExactAmount(38500)).toBe('38500.00000');
      expect(formatExactAmount('-0')).toBe('0.00000');
    });

    it('should print two different amounts differently', () => {
      expect(formatExactAmount('0.0466')).not.toBe(formatExactAmount('0.046599'));
      expect(formatExactAmount('0.00001')).not.toBe(formatExactAmount('0.000014'));
    });
  });
});
