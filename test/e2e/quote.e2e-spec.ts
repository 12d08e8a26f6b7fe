import { graphql, GraphqlResponse } from '../utils/graphql-client';
import { TEST_DATABASES } from '../utils/test-databases';
import { startTestApp, TestApp } from '../utils/test-app';

const QUOTE = `
  query Quote($input: QuoteInput!) {
    quote(input: $input) {
      encoding characters segments text unicodeCharacters smartEncodingSavedSegments
      recipients
      rejectedRecipients { input reason }
      perCountry { country recipients pricePerSegment { amount currency } cost { amount currency } }
      totalCost { amount currency }
    }
  }`;

interface QuoteResult {
  quote: {
    encoding: string;
    characters: number;
    segments: number;
    text: string;
    unicodeCharacters: string[];
    smartEncodingSavedSegments: number;
    recipients: number;
    rejectedRecipients: Array<{ input: string; reason: string }>;
    perCountry: Array<{
      country: string;
      recipients: number;
      pricePerSegment: { amount: number; currency: string };
      cost: { amount: number; currency: string };
    }>;
    totalCost: { amount: number; currency: string };
  };
}

const usd = (amount: number) => ({ amount, currency: 'USD' });
const a = (n: number) => 'a'.repeat(n);

// Sandbox prices (src/sandbox/sandbox-prices.ts): US 0.00550, GB 0.04000 per segment.
const US = ['+12015550123', '+12015550124', '+12015550125'];
const GB = ['+447400123456', '+447400123457'];

describe.each(TEST_DATABASES)('quote on %s', (database) => {
  let testApp: TestApp;
  let apiKey: string;

  beforeAll(async () => {
    testApp = await startTestApp(database);
    ({ apiKey } = await testApp.newAccount());
  });

  afterAll(async () => {
    await testApp.close();
  });

  function quote(input: Record<string, unknown>): Promise<GraphqlResponse<QuoteResult>> {
    return graphql<QuoteResult>(testApp.baseUrl, apiKey, QUOTE, { input });
  }

  async function quoteOk(input: Record<string, unknown>): Promise<QuoteResult['quote']> {
    const response = await quote(input);
    expect(response.errors).toBeUndefined();
    return response.data!.quote;
  }

  it('should count 152 a + € + 152 a as 3 GSM-7 segments and price them per recipient', async () => {
    const result = await quoteOk({ text: a(152) + '€' + a(152), recipients: US });
    expect(result).toMatchObject({
      encoding: 'GSM7',
      characters: 306,
      segments: 3,
      unicodeCharacters: [],
      recipients: 3,
    });
    // 3 recipients × 3 segments × 0.00550
    expect(result.perCountry).toEqual([
      { country: 'US', recipients: 3, pricePerSegment: usd(0.0055), cost: usd(0.0495) },
    ]);
    expect(result.totalCost).toEqual(usd(0.0495));
  });

  it('should switch to UCS-2 for ç and name it', async () => {
    const result = await quoteOk({ text: 'Merci, ça va ?', recipients: [] });
    expect(result).toMatchObject({ encoding: 'UCS2', segments: 1, unicodeCharacters: ['ç'] });
  });

  it('should save segments by smart-encoding curly quotes when asked', async () => {
    const text = '“Sale” it’s on '.repeat(6);
    const plain = await quoteOk({ text, recipients: [GB[0]] });
    const smart = await quoteOk({ text, recipients: [GB[0]], smartEncoding: true });
    expect(plain).toMatchObject({ encoding: 'UCS2', segments: 2, smartEncodingSavedSegments: 0, totalCost: usd(0.08) });
    expect(smart).toMatchObject({
      encoding: 'GSM7',
      segments: 1,
      smartEncodingSavedSegments: 1,
      text: `"Sale" it's on `.repeat(6),
      totalCost: usd(0.04),
    });
  });

  it('should group US and GB numbers per country', async () => {
    const result = await quoteOk({ text: 'Hello', recipients: [US[0], GB[0], US[1], GB[1], US[2]] });
    expect(result.recipients).toBe(5);
    expect(result.perCountry).toEqual([
      { country: 'US', recipients: 3, pricePerSegment: usd(0.0055), cost: usd(0.0165) },
      { country: 'GB', recipients: 2, pricePerSegment: usd(0.04), cost: usd(0.08) },
    ]);
    expect(result.totalCost).toEqual(usd(0.0965));
  });

  it("should bound the cost from above with the dearest network rate of each country (Plivo's networks list)", async () => {
    // The sandbox's GB networks: EE and O2 at 0.04000, Vodafone at 0.04200; every US network at 0.00550.
    const response = await graphql<{
      quote: {
        perCountry: Array<{ country: string; maxPricePerSegment: unknown; worstCaseCost: unknown }>;
        totalCost: unknown;
        worstCaseTotalCost: unknown;
      };
    }>(
      testApp.baseUrl,
      apiKey,
      `
        query ($input: QuoteInput!) {
          quote(input: $input) {
            perCountry {
              country
              maxPricePerSegment {
                amount
                currency
              }
              worstCaseCost {
                amount
                currency
              }
            }
            totalCost {
              amount
              currency
            }
            worstCaseTotalCost {
              amount
              currency
            }
          }
        }
      `,
      { input: { text: a(200), recipients: [US[0], GB[0], GB[1]] } },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.quote).toEqual({
      perCountry: [
        { country: 'US', maxPricePerSegment: usd(0.0055), worstCaseCost: usd(0.011) },
        { country: 'GB', maxPricePerSegment: usd(0.042), worstCaseCost: usd(0.168) },
      ],
      totalCost: usd(0.171),
      worstCaseTotalCost: usd(0.179),
    });
  });

  it('should reject duplicates (in any format) as duplicate and invalid numbers with a reason', async () => {
    const result = await quoteOk({ text: 'Hello', recipients: [US[0], '+1 (201) 555-0123', 'call me', US[0]] });
    expect(result.recipients).toBe(1);
    expect(result.rejectedRecipients).toEqual([
      { input: '+1 (201) 555-0123', reason: 'duplicate' },
      { input: 'call me', reason: expect.stringMatching(/^not a valid phone number/) },
      { input: US[0], reason: 'duplicate' },
    ]);
  });

  it('should read national numbers with defaultCountry, and ask for it without', async () => {
    const withCountry = await quoteOk({
      text: 'Hello',
      recipients: ['07400 123456', '020 7946 0018'],
      defaultCountry: 'GB',
    });
    expect(withCountry.perCountry).toEqual([
      { country: 'GB', recipients: 2, pricePerSegment: usd(0.04), cost: usd(0.08) },
    ]);

    const without = await quoteOk({ text: 'Hello', recipients: ['07400 123456'] });
    expect(without.rejectedRecipients).toEqual([
      { input: '07400 123456', reason: 'missing country code (set defaultCountry)' },
    ]);
    expect(without.totalCost).toEqual(usd(0));
  });

  it('should answer an empty recipient list with the text analysis and a zero total', async () => {
    const result = await quoteOk({ text: 'Hello' });
    expect(result).toMatchObject({
      segments: 1,
      recipients: 0,
      rejectedRecipients: [],
      perCountry: [],
      totalCost: usd(0),
    });
  });

  it.each([
    ['an unknown code', 'ZZ'],
    ['a three-letter code', 'USA'],
  ])('should reject %s as defaultCountry with BAD_USER_INPUT naming defaultCountry', async (_name, defaultCountry) => {
    const response = await quote({ text: 'Hello', recipients: ['2015550123'], defaultCountry });
    expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0].message).toMatch(/^defaultCountry/);
  });

  it.each([
    [
      '1,601 GSM-7 characters',
      a(1_601),
      "text is 1,601 GSM-7 characters; Plivo's limit is 1,600 GSM-7 characters (737 for UCS-2)",
    ],
    [
      '738 UCS-2 characters',
      'я'.repeat(738),
      "text is 738 UCS-2 characters; Plivo's limit is 737 UCS-2 characters (1,600 for GSM-7)",
    ],
    [
      '20,000 characters',
      a(20_000),
      "text is 20,000 characters; Plivo's limit is 1,600 GSM-7 characters (737 for UCS-2)",
    ],
    ['empty text', '  ', 'text is empty or only whitespace'],
  ])('should reject %s with BAD_USER_INPUT naming the limit', async (_name, text, message) => {
    const response = await quote({ text, recipients: [US[0]] });
    expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0].message).toBe(message);
  });

  it('should reject recipients in a country without a price, naming the country', async () => {
    // Switzerland is a valid number but has no price in the sandbox's table.
    const response = await quote({ text: 'Hello', recipients: [US[0], '+41 79 123 45 67'] });
    expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0].message).toMatch(/^recipients: no price for country CH\b/);
  });

  it('should require an API key', async () => {
    const response = await graphql(testApp.baseUrl, undefined, QUOTE, { input: { text: 'Hello' } });
    expect(response.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});
