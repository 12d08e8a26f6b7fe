import { parseSendWindowDefaults } from '../quiet-hours/send-window-defaults';
import Decimal from 'decimal.js';
import { mock } from 'jest-mock-extended';
import { UserInputError } from '../common/errors/domain-error';
import { Encoding } from '../domain/encoding.enum';
import { CountryRate, PriceCatalogService } from './price-catalog.service';
import { PricesUnavailableError, UnknownCountryPriceError } from './pricing.errors';
import { excludeSuppressedRendered, PricingService } from './pricing.service';
import type { PersonalizedRecipients } from '../recipient-lists/personalized-recipients';

const strict = {
  fallbackMockImplementation: () => {
    throw new Error('unexpected call');
  },
};

// The dearest network of each country (GB's costs more than its country rate, as Plivo's networks list can say).
const MAX_RATES: Record<string, string> = { GB: '0.04500' };

function setup(rates: Record<string, string> = { US: '0.00350', GB: '0.04000', CA: '0.00550' }) {
  const catalog = mock<PriceCatalogService>(undefined, strict);
  catalog.ratesFor.mockImplementation((countries) => {
    const unknown = countries.filter((c) => rates[c] === undefined);
    if (unknown.length > 0) {
      return Promise.reject(new UnknownCountryPriceError(unknown));
    }
    return Promise.resolve(
      new Map<string, CountryRate>(
        countries.map((c) => [
          c,
          { rate: new Decimal(rates[c]), maxRate: new Decimal(MAX_RATES[c] ?? rates[c]), currency: 'USD' },
        ]),
      ),
    );
  });
  return { sut: new PricingService(catalog), catalog };
}

const a = (n: number) => 'a'.repeat(n);

describe(PricingService.name, () => {
  describe('analyzeText', () => {
    it('should count a short GSM-7 text as one segment', () => {
      const { sut } = setup();
      expect(sut.analyzeText('Hello!', false)).toEqual({
        encoding: Encoding.GSM7,
        characters: 6,
        segments: 1,
        text: 'Hello!',
        unicodeCharacters: [],
        smartEncodingSavedSegments: 0,
      });
    });

    it('should count 152 a + € + 152 a as 3 segments (an escape pair is never split)', () => {
      const { sut } = setup();
      expect(sut.analyzeText(a(152) + '€' + a(152), false)).toMatchObject({
        encoding: Encoding.GSM7,
        characters: 306,
        segments: 3,
      });
    });

    it('should switch to UCS-2 for ç and name it', () => {
      const { sut } = setup();
      expect(sut.analyzeText('ça va', false)).toMatchObject({ encoding: Encoding.UCS2, unicodeCharacters: ['ç'] });
    });

    it('should report the segments smart encoding saves on curly quotes', () => {
      const { sut } = setup();
      const text = '“Sale” it’s on '.repeat(6); // 90 characters: 2 UCS-2 segments, 1 GSM-7 segment
      expect(sut.analyzeText(text, false)).toMatchObject({
        encoding: Encoding.UCS2,
        segments: 2,
        smartEncodingSavedSegments: 0,
      });
      expect(sut.analyzeText(text, true)).toMatchObject({
        encoding: Encoding.GSM7,
        segments: 1,
        smartEncodingSavedSegments: 1,
        text: `"Sale" it's on `.repeat(6),
      });
    });

    it.each([
      ['empty', '', 'text is empty or only whitespace'],
      ['blank', ' \n ', 'text is empty or only whitespace'],
      [
        'over 1,600 GSM-7 characters',
        a(1_601),
        "text is 1,601 GSM-7 characters; Plivo's limit is 1,600 GSM-7 characters (737 for UCS-2)",
      ],
      [
        'over 737 UCS-2 characters',
        'я'.repeat(738),
        "text is 738 UCS-2 characters; Plivo's limit is 737 UCS-2 characters (1,600 for GSM-7)",
      ],
      [
        'beyond 5,000 units',
        a(5_001),
        "text is 5,001 characters; Plivo's limit is 1,600 GSM-7 characters (737 for UCS-2)",
      ],
    ])('should reject %s text as a UserInputError on text naming the limit', (_name, text, message) => {
      const { sut } = setup();
      expect(() => sut.analyzeText(text, false)).toThrow(UserInputError);
      expect(() => sut.analyzeText(text, false)).toThrow(message);
      try {
        sut.analyzeText(text, false);
      } catch (error) {
        expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'text' });
      }
    });
  });

  describe('estimatePersonalized', () => {
    it("should price each recipient's own segments at its country's rate", async () => {
      const { sut } = setup();
      const estimate = await sut.estimatePersonalized(
        new Map([
          [
            'US',
            new Map([
              [1, 3],
              [2, 1],
            ]),
          ],
          ['GB', new Map([[3, 2]])],
        ]),
      );
      // US: (3 × 1 + 1 × 2) segments × 0.0035; GB: 2 × 3 segments × 0.04.
      expect(estimate.totalCost.toFixed(5)).toBe('0.25750');
      expect(estimate.perCountry.map((c) => [c.country, c.recipients, c.segments, c.cost.toFixed(5)])).toEqual([
        ['US', 4, 5, '0.01750'],
        ['GB', 2, 6, '0.24000'],
      ]);
    });
  });

  describe('excludeSuppressedRendered', () => {
    it('should move suppressed recipients of a list to rejected and take them out of every count', () => {
      const text = (t: string, segments: number, recipients: number) => ({
        text: t,
        encoding: Encoding.GSM7,
        segments,
        characters: t.length,
        unicodeCharacters: [],
        recipients,
      });
      const rendered = {
        phones: ['+14155550001', '+14155550002', '+447400123456'],
        countries: ['US', 'US', 'GB'],
        textIndexes: [0, 1, 1],
        texts: [text('Hi Ada', 1, 1), text('Hi Bob', 2, 2)],
        rejected: [{ input: '+14155550009', reason: 'row 5: text: empty' }],
        perCountrySegments: new Map([
          [
            'US',
            new Map([
              [1, 1],
              [2, 1],
            ]),
          ],
          ['GB', new Map([[2, 1]])],
        ]),
      } as unknown as PersonalizedRecipients;
      excludeSuppressedRendered(rendered, new Set(['+14155550001', '+447400123456']));
      expect(rendered.phones).toEqual(['+14155550002']);
      expect(rendered.countries).toEqual(['US']);
      expect(rendered.textIndexes).toEqual([1]);
      expect(rendered.texts.map((t) => t.recipients)).toEqual([0, 1]);
      expect([...rendered.perCountrySegments].map(([c, m]) => [c, [...m]])).toEqual([['US', [[2, 1]]]]);
      expect(rendered.rejected).toEqual([
        { input: '+14155550009', reason: 'row 5: text: empty' },
        { input: '+14155550001', reason: 'SUPPRESSED' },
        { input: '+447400123456', reason: 'SUPPRESSED' },
      ]);
    });
  });

  describe('estimate', () => {
    it('should compute 3 recipients × 2 segments × 0.00350 = 0.02100 exactly', async () => {
      const { sut } = setup();
      const estimate = await sut.estimate(new Map([['US', 3]]), 2);
      expect(estimate.totalCost.toFixed(5)).toBe('0.02100');
      expect(estimate.totalCost.equals('0.021')).toBe(true);
      expect(
        estimate.perCountry.map((c) => [c.country, c.recipients, c.pricePerSegment.toFixed(5), c.cost.toFixed(5)]),
      ).toEqual([['US', 3, '0.00350', '0.02100']]);
    });

    it('should not drift where floats do (3 × 0.00221 is 0.0066300000000000005 in floats)', async () => {
      const { sut } = setup({ IN: '0.00221' });
      const estimate = await sut.estimate(new Map([['IN', 3]]), 1);
      expect(estimate.totalCost.toString()).toBe('0.00663');
      expect(3 * 0.00221).not.toBe(0.00663);
    });

    it('should add amounts without float drift (0.1 + 0.2 = 0.3)', async () => {
      const { sut } = setup({ AA: '0.10000', BB: '0.20000' });
      const estimate = await sut.estimate(
        new Map([
          ['AA', 1],
          ['BB', 1],
        ]),
        1,
      );
      expect(estimate.totalCost.toString()).toBe('0.3');
      expect(0.1 + 0.2).not.toBe(0.3);
    });

    it('should stay exact for a million recipients at 11 segments', async () => {
      const { sut } = setup({ US: '0.00350', IN: '0.00221' });
      const estimate = await sut.estimate(
        new Map([
          ['US', 1_000_000],
          ['IN', 7],
        ]),
        11,
      );
      expect(estimate.totalCost.toString()).toBe('38500.17017');
      expect(estimate.currency).toBe('USD');
    });

    it('should group per country in the order given and skip countries without recipients', async () => {
      const { sut, catalog } = setup();
      const estimate = await sut.estimate(
        new Map([
          ['GB', 2],
          ['CA', 0],
          ['US', 1],
        ]),
        1,
      );
      expect(estimate.perCountry.map((c) => [c.country, c.cost.toFixed(5)])).toEqual([
        ['GB', '0.08000'],
        ['US', '0.00350'],
      ]);
      expect(catalog.ratesFor).toHaveBeenCalledWith(['GB', 'US']);
    });

    it('should answer 0 USD without asking for prices when there is no recipient', async () => {
      const { sut, catalog } = setup();
      const estimate = await sut.estimate(new Map(), 3);
      expect(estimate).toEqual({
        currency: 'USD',
        totalCost: expect.any(Decimal),
        worstCaseTotalCost: expect.any(Decimal),
        perCountry: [],
      });
      expect(estimate.totalCost.isZero()).toBe(true);
      expect(catalog.ratesFor).not.toHaveBeenCalled();
    });

    it('should turn countries without a price into a UserInputError on recipients listing them', async () => {
      const { sut } = setup();
      const result = sut.estimate(
        new Map([
          ['US', 1],
          ['ZZ', 1],
          ['XK', 2],
        ]),
        1,
      );
      await expect(result).rejects.toThrow(UserInputError);
      await expect(result).rejects.toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'recipients',
        message: 'recipients: no price for countries ZZ, XK (the SMS provider has none); remove those recipients',
        details: { field: 'recipients', countries: ['ZZ', 'XK'] },
      });
    });

    it('should let a provider outage through as it is (not the caller’s fault)', async () => {
      const { sut, catalog } = setup();
      catalog.ratesFor.mockRejectedValue(new PricesUnavailableError(['GB']));
      await expect(sut.estimate(new Map([['GB', 1]]), 1)).rejects.toThrow(PricesUnavailableError);
    });
  });

  describe('quote', () => {
    it('should quote per country with Money rounded only at the end', async () => {
      const { sut } = setup();
      const quote = await sut.quote({
        text: 'Hi there',
        recipients: ['+12015550123', '+447400123456', '+12015550124', '+447400123457', '+12015550125'],
        smartEncoding: false,
      });
      expect(quote).toEqual({
        encoding: Encoding.GSM7,
        characters: 8,
        segments: 1,
        text: 'Hi there',
        unicodeCharacters: [],
        smartEncodingSavedSegments: 0,
        recipients: 5,
        rejectedRecipients: [],
        perCountry: [
          {
            country: 'US',
            recipients: 3,
            pricePerSegment: { amount: 0.0035, currency: 'USD' },
            cost: { amount: 0.0105, currency: 'USD' },
            maxPricePerSegment: { amount: 0.0035, currency: 'USD' },
            worstCaseCost: { amount: 0.0105, currency: 'USD' },
          },
          {
            country: 'GB',
            recipients: 2,
            pricePerSegment: { amount: 0.04, currency: 'USD' },
            cost: { amount: 0.08, currency: 'USD' },
            maxPricePerSegment: { amount: 0.045, currency: 'USD' },
            worstCaseCost: { amount: 0.09, currency: 'USD' },
          },
        ],
        totalCost: { amount: 0.0905, currency: 'USD' },
        worstCaseTotalCost: { amount: 0.1005, currency: 'USD' },
        assumedTimeZoneRecipients: 0,
        distribution: [{ encoding: Encoding.GSM7, segments: 1, recipients: 5 }],
        distinctTexts: 1,
        emptyFields: [],
      });
    });

    it('should count the recipients under a send window whose time zone is only assumed', async () => {
      const { sut } = setup();
      // South Dakota's 605 spans Mountain and Central time: assumed.
      const recipients = ['+12125550123', '+447400123456', '+16052005555'];
      const quote = (defaults: string | undefined) =>
        sut.quote({
          text: 'Hi',
          recipients,
          smartEncoding: false,
          sendWindows: { campaignWindow: null, defaults: parseSendWindowDefaults(defaults, undefined) },
        });
      // New York and London are known from the numbers; without any window nothing is looked up.
      expect((await quote('09:00-20:00')).assumedTimeZoneRecipients).toBe(1);
      expect((await quote(undefined)).assumedTimeZoneRecipients).toBe(0);
    });

    it('should reject duplicates and invalid numbers, and read national numbers with defaultCountry', async () => {
      const { sut } = setup();
      const quote = await sut.quote({
        text: 'Hi',
        recipients: ['(201) 555-0123', '+1 201 555 0123', 'not a number', '2015550124'],
        defaultCountry: 'us',
        smartEncoding: false,
      });
      expect(quote.recipients).toBe(2);
      expect(quote.rejectedRecipients).toEqual([
        { input: '+1 201 555 0123', reason: 'duplicate' },
        { input: 'not a number', reason: expect.stringContaining('not a valid phone number') },
      ]);
      expect(quote.perCountry).toEqual([expect.objectContaining({ country: 'US', recipients: 2 })]);
    });

    it('should allow an empty recipient list: text analysis only, total 0', async () => {
      const { sut, catalog } = setup();
      const quote = await sut.quote({ text: 'ça va', recipients: [], smartEncoding: false });
      expect(quote).toMatchObject({
        encoding: Encoding.UCS2,
        recipients: 0,
        perCountry: [],
        totalCost: { amount: 0, currency: 'USD' },
      });
      expect(catalog.ratesFor).not.toHaveBeenCalled();
    });

    it.each(['ZZ', 'XX', ''])(
      'should reject defaultCountry %p as a UserInputError on defaultCountry',
      async (defaultCountry) => {
        const { sut } = setup();
        const result = sut.quote({ text: 'Hi', recipients: ['2015550123'], defaultCountry, smartEncoding: false });
        await expect(result).rejects.toMatchObject({
          code: 'BAD_USER_INPUT',
          field: 'defaultCountry',
          message: expect.stringMatching(/^defaultCountry ".*" is not a supported ISO 3166-1 alpha-2 country code/),
        });
      },
    );

    it('should reject a text that is too long before looking at recipients', async () => {
      const { sut, catalog } = setup();
      await expect(
        sut.quote({ text: a(1_601), recipients: ['+12015550123'], smartEncoding: false }),
      ).rejects.toMatchObject({
        field: 'text',
      });
      expect(catalog.ratesFor).not.toHaveBeenCalled();
    });

    it('should price the smart-encoded segments', async () => {
      const { sut } = setup();
      const text = '“Sale” it’s on '.repeat(6);
      const plain = await sut.quote({ text, recipients: ['+447400123456'], smartEncoding: false });
      const smart = await sut.quote({ text, recipients: ['+447400123456'], smartEncoding: true });
      expect(plain.totalCost.amount).toBe(0.08);
      expect(smart.totalCost.amount).toBe(0.04);
    });
  });
});
