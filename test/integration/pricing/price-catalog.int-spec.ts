import Decimal from 'decimal.js';
import { PriceRepository, StoredPrice } from '../../../src/persistence/price.repository';
import { PriceCatalogService } from '../../../src/pricing/price-catalog.service';
import { SmsGateway } from '../../../src/sms-gateway/sms-gateway';
import { graphql } from '../../utils/graphql-client';
import { TEST_DATABASES } from '../../utils/test-databases';
import { startTestApp, TestApp } from '../../utils/test-app';

const HOUR = 60 * 60 * 1000;

function price(country: string, rate: string, expiresAt: Date, overrides: Partial<StoredPrice> = {}): StoredPrice {
  return {
    country,
    currency: 'USD',
    rate: new Decimal(rate),
    maxRate: new Decimal(rate),
    source: 'test',
    fetchedAt: new Date(expiresAt.getTime() - 24 * HOUR),
    expiresAt,
    ...overrides,
  };
}

const plain = (p: StoredPrice | undefined) =>
  p && {
    ...p,
    rate: p.rate.toFixed(5),
    maxRate: p.maxRate.toFixed(5),
    fetchedAt: p.fetchedAt.toISOString(),
    expiresAt: p.expiresAt.toISOString(),
  };

describe.each(TEST_DATABASES)('price cache on %s', (database) => {
  let testApp: TestApp;
  let prices: PriceRepository;

  beforeAll(async () => {
    testApp = await startTestApp(database);
    prices = testApp.app.get(PriceRepository);
  });

  afterAll(async () => {
    await testApp.close();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe(PriceRepository.name, () => {
    // User-assigned codes (QM–QZ) no provider prices, so these rows are this test's own.
    it('should insert and replace prices in one upsert and read them back as exact decimals', async () => {
      const expiresAt = new Date('2030-01-01T00:00:00.123Z');
      await prices.upsertMany([
        price('QM', '0.00351', expiresAt, { maxRate: new Decimal('0.01234') }),
        price('QN', '0.1', expiresAt),
      ]);
      await prices.upsertMany([price('QN', '0.20000', expiresAt, { source: 'again' })]);

      const found = await prices.findMany(['QM', 'QN', 'QP']);

      expect([...found.keys()].sort()).toEqual(['QM', 'QN']);
      expect(plain(found.get('QM'))).toEqual({
        country: 'QM',
        currency: 'USD',
        rate: '0.00351',
        maxRate: '0.01234',
        source: 'test',
        fetchedAt: '2029-12-31T00:00:00.123Z',
        expiresAt: '2030-01-01T00:00:00.123Z',
      });
      expect(found.get('QN')).toMatchObject({ source: 'again' });
      expect(found.get('QN')!.rate.equals('0.2')).toBe(true);
    });

    it('should find the prices expiring before a date, oldest first', async () => {
      await prices.upsertMany([
        price('QQ', '0.01', new Date('2001-01-02T00:00:00Z')),
        price('QR', '0.01', new Date('2001-01-01T00:00:00Z')),
        price('QS', '0.01', new Date('2001-01-03T00:00:00Z')),
      ]);
      const due = await prices.findExpiringBefore(new Date('2001-01-03T00:00:00Z'));
      expect(due.map((p) => p.country).filter((c) => ['QQ', 'QR', 'QS'].includes(c))).toEqual(['QR', 'QQ']);
    });

    it('should answer an empty map for no countries', async () => {
      await expect(prices.findMany([])).resolves.toEqual(new Map());
    });
  });

  describe(PriceCatalogService.name, () => {
    it('should fetch an expired price once through the sandbox, store it for 24 h, then answer from the database', async () => {
      // An expired row makes the first quote refetch whatever earlier tests cached.
      await prices.upsertMany([price('SE', '0.99999', new Date(Date.now() - HOUR))]);
      const gateway = jest.spyOn(testApp.app.get(SmsGateway), 'getCountryPrice');
      const { apiKey } = await testApp.newAccount();
      const query =
        'query($input: QuoteInput!) { quote(input: $input) { totalCost { amount } perCountry { country pricePerSegment { amount } } } }';
      const input = { input: { text: 'Hej', recipients: ['+46701234567'] } };

      const quotedAt = Date.now();
      const first = await graphql(testApp.baseUrl, apiKey, query, input);
      const stored = (await prices.findMany(['SE'])).get('SE')!;
      const second = await graphql(testApp.baseUrl, apiKey, query, input);

      expect(first.errors).toBeUndefined();
      expect(first.data).toEqual({
        quote: { totalCost: { amount: 0.059 }, perCountry: [{ country: 'SE', pricePerSegment: { amount: 0.059 } }] },
      });
      expect(second.data).toEqual(first.data);
      expect(gateway.mock.calls).toEqual([['SE']]);
      // Sandbox: rate 0.05900, highest network (Tele2) 0.06100.
      expect(stored).toMatchObject({ source: 'sandbox', currency: 'USD' });
      expect([stored.rate.toFixed(5), stored.maxRate.toFixed(5)]).toEqual(['0.05900', '0.06100']);
      expect(stored.expiresAt.getTime() - stored.fetchedAt.getTime()).toBe(24 * HOUR);
      // Fetched during this test: after the first quote was sent, and before now.
      expect(stored.fetchedAt.getTime()).toBeGreaterThanOrEqual(quotedAt);
      expect(stored.fetchedAt.getTime()).toBeLessThanOrEqual(Date.now());
      expect((await prices.findMany(['SE'])).get('SE')!.fetchedAt).toEqual(stored.fetchedAt);
    });

    it('should use the expired price when the provider fails, and refresh it in the background later', async () => {
      await prices.upsertMany([price('PL', '0.01000', new Date(Date.now() - HOUR))]);
      const catalog = testApp.app.get(PriceCatalogService);
      const gateway = testApp.app.get(SmsGateway);
      const failing = jest.spyOn(gateway, 'getCountryPrice').mockRejectedValueOnce(new Error('provider down'));

      const rates = await catalog.ratesFor(['PL']);
      expect(rates.get('PL')!.rate.toFixed(5)).toBe('0.01000');

      failing.mockRestore();
      const refreshedAt = Date.now();
      await catalog.refreshExpiring();
      const refreshed = (await prices.findMany(['PL'])).get('PL')!;
      expect(refreshed.rate.toFixed(5)).toBe('0.03300');
      // A fresh 24 h price, fetched by this refresh.
      expect(refreshed.expiresAt.getTime() - refreshed.fetchedAt.getTime()).toBe(24 * HOUR);
      expect(refreshed.fetchedAt.getTime()).toBeGreaterThanOrEqual(refreshedAt);
    });

    it('should list every country the provider has no price for', async () => {
      const catalog = testApp.app.get(PriceCatalogService);
      await expect(catalog.ratesFor(['US', 'CH', 'NZ'])).rejects.toMatchObject({ countries: ['CH', 'NZ'] });
      expect((await prices.findMany(['CH', 'NZ'])).size).toBe(0);
    });
  });
});
