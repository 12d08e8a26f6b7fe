import { CountryPrice, MixedCurrencyError, UnknownCountryPriceError, calculateCost } from './cost-calculator';

const PRICES: Record<string, CountryPrice> = {
  US: { rate: '0.00350', currency: 'USD' },
  GB: { rate: '0.04000', currency: 'USD' },
  IN: { rate: '0.00221', currency: 'USD' },
};
const priceOf = (country: string): CountryPrice | undefined => PRICES[country];

describe('calculateCost', () => {
  it('should compute recipients × segments × rate per country and the exact total', () => {
    const result = calculateCost(
      new Map([
        ['US', 1_000_000],
        ['GB', 3],
        ['IN', 7],
      ]),
      11,
      priceOf,
    );

    expect(
      result.perCountry.map((c) => [c.country, c.recipients, c.pricePerSegment.toString(), c.cost.toString()]),
    ).toEqual([
      ['US', 1_000_000, '0.0035', '38500'],
      ['GB', 3, '0.04', '1.32'],
      ['IN', 7, '0.00221', '0.17017'],
    ]);
    expect(result.totalCost.toString()).toBe('38501.49017');
    expect(result.currency).toBe('USD');
  });

  it('should not drift where floats would', () => {
    // 0.1 + 0.2 style drift: 3 × 0.00221 × 1 in floats is 0.0066300000000000005.
    const result = calculateCost([['IN', 3]], 1, priceOf);
    expect(result.totalCost.toString()).toBe('0.00663');
  });

  it('should throw UnknownCountryPriceError listing every unpriced country, never a silent zero', () => {
    const run = () =>
      calculateCost(
        [
          ['US', 1],
          ['ZZ', 2],
          ['XK', 5],
        ],
        1,
        priceOf,
      );
    expect(run).toThrow(UnknownCountryPriceError);
    expect(run).toThrow('no SMS price for countries ZZ, XK');
    try {
      run();
    } catch (error) {
      expect((error as UnknownCountryPriceError).countries).toEqual(['ZZ', 'XK']);
    }
  });

  it('should ignore countries without recipients', () => {
    expect(calculateCost([['ZZ', 0]], 2, priceOf)).toMatchObject({ perCountry: [], currency: undefined });
    expect(calculateCost([], 2, priceOf).totalCost.toString()).toBe('0');
  });

  it('should refuse to add prices in different currencies', () => {
    const lookup = (country: string) => (country === 'GB' ? { rate: '0.03', currency: 'GBP' } : PRICES[country]);
    expect(() =>
      calculateCost(
        [
          ['US', 1],
          ['GB', 1],
        ],
        1,
        lookup,
      ),
    ).toThrow(MixedCurrencyError);
  });

  it('should reject malformed or negative rates and counts', () => {
    expect(() => calculateCost([['US', 1]], 1, () => ({ rate: 'n/a', currency: 'USD' }))).toThrow(RangeError);
    expect(() => calculateCost([['US', 1]], 1, () => ({ rate: '-0.1', currency: 'USD' }))).toThrow(/negative/);
    expect(() => calculateCost([['US', 1.5]], 1, priceOf)).toThrow(/recipients/);
    expect(() => calculateCost([['US', 1]], 0.5, priceOf)).toThrow(/units/);
  });
});
