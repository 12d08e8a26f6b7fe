import { Logger } from '@nestjs/common';
import Decimal from 'decimal.js';
import { mock } from 'jest-mock-extended';
import { PriceRepository, StoredPrice } from '../persistence/price.repository';
import { ProviderAccount } from '../sms-gateway/provider-account';
import { SmsGateway } from '../sms-gateway/sms-gateway';
import { SmsGatewayError } from '../sms-gateway/sms-gateway.error';
import { CountryPrice } from '../sms-gateway/sms-gateway.types';
import { PriceCatalogService } from './price-catalog.service';
import { PriceCatalogOptions } from './price-catalog.options';
import { PricesUnavailableError, UnknownCountryPriceError } from './pricing.errors';

const HOUR = 60 * 60 * 1000;
const T0 = Date.parse('2026-03-01T12:00:00Z');
const strict = {
  fallbackMockImplementation: () => {
    throw new Error('unexpected call');
  },
};

const PROVIDER: Record<string, CountryPrice> = {
  US: { country: 'US', currency: 'USD', rate: '0.00550', maxRate: '0.00550' },
  GB: { country: 'GB', currency: 'USD', rate: '0.04000', maxRate: '0.04200' },
  DE: { country: 'DE', currency: 'USD', rate: '0.08700', maxRate: '0.08900' },
  FR: { country: 'FR', currency: 'USD', rate: '0.07500', maxRate: '0.07600' },
  IN: { country: 'IN', currency: 'USD', rate: '0.00330', maxRate: '0.00360' },
  BR: { country: 'BR', currency: 'USD', rate: '0.03800', maxRate: '0.03900' },
};

function stored(country: string, rate: string, expiresAt: number, maxRate = rate): StoredPrice {
  return {
    country,
    currency: 'USD',
    rate: new Decimal(rate),
    maxRate: new Decimal(maxRate),
    source: 'sandbox',
    fetchedAt: new Date(expiresAt - 24 * HOUR),
    expiresAt: new Date(expiresAt),
  };
}

function setup(options: { rows?: StoredPrice[]; catalog?: Partial<PriceCatalogOptions> } = {}) {
  let now = T0;
  const table = new Map((options.rows ?? []).map((row) => [row.country, row]));
  const prices = mock<PriceRepository>(undefined, strict);
  prices.findMany.mockImplementation((countries) =>
    Promise.resolve(new Map(countries.filter((c) => table.has(c)).map((c) => [c, table.get(c)!]))),
  );
  prices.upsertMany.mockImplementation((rows) => {
    rows.forEach((row) => table.set(row.country, row));
    return Promise.resolve();
  });
  prices.findExpiringBefore.mockImplementation((date) =>
    Promise.resolve([...table.values()].filter((row) => row.expiresAt < date)),
  );
  const gateway = mock<SmsGateway>(undefined, strict);
  gateway.getCountryPrice.mockImplementation((iso) =>
    PROVIDER[iso]
      ? Promise.resolve(PROVIDER[iso])
      : Promise.reject(new SmsGatewayError('permanent', `pricing not found for country_iso ${iso}`, { status: 404 })),
  );
  const account = new ProviderAccount('sandbox', 'MA_TEST', '+14155550100', []);
  const clock = { now: () => new Date(now) };
  const sut = new PriceCatalogService(prices, gateway, account, clock, options.catalog);
  return {
    sut,
    prices,
    gateway,
    table,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const plain = (rates: Map<string, { rate: Decimal; maxRate: Decimal; currency: string }>) =>
  Object.fromEntries([...rates].map(([c, r]) => [c, [r.rate.toFixed(5), r.maxRate.toFixed(5), r.currency]]));

describe(PriceCatalogService.name, () => {
  let warn: jest.SpyInstance;
  let error: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  describe('ratesFor', () => {
    it('should serve unexpired stored prices without asking the provider', async () => {
      const { sut, gateway, prices } = setup({ rows: [stored('US', '0.00350', T0 + HOUR, '0.00400')] });

      const rates = await sut.ratesFor(['US']);

      expect(plain(rates)).toEqual({ US: ['0.00350', '0.00400', 'USD'] });
      expect(gateway.getCountryPrice).not.toHaveBeenCalled();
      expect(prices.upsertMany).not.toHaveBeenCalled();
    });

    it('should fetch missing countries, keep maxRate as the worst case and store them in one upsert with the TTL', async () => {
      const { sut, gateway, prices } = setup({ rows: [stored('US', '0.00350', T0 + HOUR)] });

      const rates = await sut.ratesFor(['US', 'GB', 'DE']);

      expect(plain(rates)).toEqual({
        US: ['0.00350', '0.00350', 'USD'],
        GB: ['0.04000', '0.04200', 'USD'],
        DE: ['0.08700', '0.08900', 'USD'],
      });
      expect(gateway.getCountryPrice.mock.calls).toEqual([['GB'], ['DE']]);
      expect(prices.upsertMany).toHaveBeenCalledTimes(1);
      expect(
        prices.upsertMany.mock.calls[0][0].map((p) => [
          p.country,
          p.source,
          p.fetchedAt.getTime(),
          p.expiresAt.getTime(),
        ]),
      ).toEqual([
        ['GB', 'sandbox', T0, T0 + 24 * HOUR],
        ['DE', 'sandbox', T0, T0 + 24 * HOUR],
      ]);
    });

    it('should answer from the cache on the second call', async () => {
      const { sut, gateway } = setup();
      await sut.ratesFor(['GB']);
      await sut.ratesFor(['GB']);
      expect(gateway.getCountryPrice).toHaveBeenCalledTimes(1);
    });

    it('should refetch a price once it has expired and store the new one', async () => {
      const { sut, gateway, table, advance } = setup({ rows: [stored('GB', '0.03000', T0 + HOUR)] });
      await expect(sut.ratesFor(['GB']).then(plain)).resolves.toEqual({ GB: ['0.03000', '0.03000', 'USD'] });

      advance(HOUR);
      await expect(sut.ratesFor(['GB']).then(plain)).resolves.toEqual({ GB: ['0.04000', '0.04200', 'USD'] });

      expect(gateway.getCountryPrice).toHaveBeenCalledTimes(1);
      expect(table.get('GB')!.expiresAt.getTime()).toBe(T0 + 25 * HOUR);
    });

    it('should use the expired price and log a warning when refreshing it fails', async () => {
      const { sut, gateway, prices } = setup({ rows: [stored('GB', '0.03000', T0 - HOUR)] });
      gateway.getCountryPrice.mockRejectedValue(
        new SmsGatewayError('transient', 'Plivo answered 503', { status: 503 }),
      );

      await expect(sut.ratesFor(['GB']).then(plain)).resolves.toEqual({ GB: ['0.03000', '0.03000', 'USD'] });

      expect(prices.upsertMany).not.toHaveBeenCalled();
      expect(warn).toHaveBeenCalledWith(
        { countries: ['GB'], errors: ['Plivo answered 503'] },
        'Using expired SMS prices for GB: refreshing them failed',
      );
    });

    it('should keep using a stored price even when the provider now calls the country unknown', async () => {
      const { sut } = setup({ rows: [stored('XK', '0.05000', T0 - HOUR)] });
      await expect(sut.ratesFor(['XK']).then(plain)).resolves.toEqual({ XK: ['0.05000', '0.05000', 'USD'] });
      expect(warn).toHaveBeenCalledTimes(1);
    });

    it('should throw UnknownCountryPriceError listing every country the provider has no price for, never a zero', async () => {
      const { sut } = setup();
      const result = sut.ratesFor(['US', 'ZZ', 'XK']);
      await expect(result).rejects.toThrow(UnknownCountryPriceError);
      await expect(result).rejects.toMatchObject({
        countries: ['ZZ', 'XK'],
        message: 'no SMS price for countries ZZ, XK',
      });
    });

    it('should throw PricesUnavailableError when the provider cannot be asked and nothing is stored', async () => {
      const { sut, gateway } = setup();
      gateway.getCountryPrice.mockRejectedValue(new SmsGatewayError('ambiguous', 'socket hang up'));
      const result = sut.ratesFor(['GB']);
      await expect(result).rejects.toThrow(PricesUnavailableError);
      await expect(result).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', countries: ['GB'] });
      expect(error).toHaveBeenCalledWith(
        { countries: ['GB'], errors: ['socket hang up'] },
        'Could not fetch SMS prices and none is stored',
      );
    });

    it('should fetch with at most fetchConcurrency requests in flight', async () => {
      const { sut, gateway } = setup({ catalog: { fetchConcurrency: 2 } });
      let inFlight = 0;
      let peak = 0;
      gateway.getCountryPrice.mockImplementation(async (iso) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return PROVIDER[iso];
      });

      const rates = await sut.ratesFor(['US', 'GB', 'DE', 'FR', 'IN', 'BR']);

      expect(rates.size).toBe(6);
      expect(gateway.getCountryPrice).toHaveBeenCalledTimes(6);
      expect(peak).toBe(2);
    });

    it('should share one provider request between concurrent callers needing the same country', async () => {
      const { sut, gateway } = setup();
      const [a, b] = await Promise.all([sut.ratesFor(['GB', 'US']), sut.ratesFor(['GB'])]);
      expect(plain(a).GB).toEqual(plain(b).GB);
      expect(gateway.getCountryPrice.mock.calls.map(([iso]) => iso).sort()).toEqual(['GB', 'US']);
    });

    it('should accept any case and duplicates, keyed by upper-case country', async () => {
      const { sut, prices } = setup();
      const rates = await sut.ratesFor(['gb', 'GB', ' us ']);
      expect([...rates.keys()]).toEqual(['GB', 'US']);
      expect(prices.findMany).toHaveBeenCalledWith(['GB', 'US']);
    });

    it('should not touch the database for no countries', async () => {
      const { sut, prices } = setup();
      await expect(sut.ratesFor([])).resolves.toEqual(new Map());
      expect(prices.findMany).not.toHaveBeenCalled();
    });

    it('should still answer with fetched prices when storing them fails', async () => {
      const { sut, prices } = setup();
      prices.upsertMany.mockRejectedValue(new Error('connection terminated'));
      await expect(sut.ratesFor(['GB']).then(plain)).resolves.toEqual({ GB: ['0.04000', '0.04200', 'USD'] });
      expect(error).toHaveBeenCalledWith({ err: expect.any(Error) }, 'Could not store fetched SMS prices');
    });
  });

  describe('refreshExpiring', () => {
    it('should refetch the prices expiring before the next check and leave the others', async () => {
      const { sut, gateway, table } = setup({
        rows: [stored('GB', '0.03000', T0 + 5 * HOUR), stored('US', '0.00300', T0 + 7 * HOUR)],
        catalog: { refreshCheckMs: 6 * HOUR },
      });

      await sut.refreshExpiring();

      expect(gateway.getCountryPrice.mock.calls).toEqual([['GB']]);
      expect(table.get('GB')!.rate.toFixed(5)).toBe('0.04000');
      expect(table.get('US')!.rate.toFixed(5)).toBe('0.00300');
    });

    it('should log and resolve when the provider fails, keeping the stored prices', async () => {
      const { sut, gateway, table } = setup({ rows: [stored('GB', '0.03000', T0 + HOUR)] });
      gateway.getCountryPrice.mockRejectedValue(new SmsGatewayError('transient', 'Plivo answered 500'));

      await expect(sut.refreshExpiring()).resolves.toBeUndefined();

      expect(table.get('GB')!.rate.toFixed(5)).toBe('0.03000');
      expect(warn).toHaveBeenCalledWith(
        { countries: ['GB'], errors: ['Plivo answered 500'] },
        'Could not refresh SMS prices for GB; the stored ones stay in use',
      );
    });

    it('should log and resolve when the database fails', async () => {
      const { sut, prices } = setup();
      prices.findExpiringBefore.mockRejectedValue(new Error('database is down'));
      await expect(sut.refreshExpiring()).resolves.toBeUndefined();
      expect(error).toHaveBeenCalledWith({ err: expect.any(Error) }, 'SMS price refresh failed');
    });

    it('should not start a second refresh while one runs', async () => {
      const { sut, prices } = setup({ rows: [stored('GB', '0.03000', T0 + HOUR)] });
      await Promise.all([sut.refreshExpiring(), sut.refreshExpiring()]);
      expect(prices.findExpiringBefore).toHaveBeenCalledTimes(1);
    });
  });

  describe('background timer', () => {
    it('should refresh every refreshCheckMs after module init, unref the timer, and stop on destroy', async () => {
      jest.useFakeTimers({ now: T0 });
      const { sut, prices } = setup({ rows: [stored('GB', '0.03000', T0 + HOUR)], catalog: { refreshCheckMs: 1_000 } });
      const setIntervalSpy = jest.spyOn(global, 'setInterval');

      sut.onModuleInit();
      expect((setIntervalSpy.mock.results[0].value as NodeJS.Timeout).hasRef()).toBe(false);
      await jest.advanceTimersByTimeAsync(999);
      expect(prices.findExpiringBefore).not.toHaveBeenCalled();
      await jest.advanceTimersByTimeAsync(1);
      expect(prices.findExpiringBefore).toHaveBeenCalledTimes(1);

      await sut.onModuleDestroy();
      await jest.advanceTimersByTimeAsync(10_000);
      expect(prices.findExpiringBefore).toHaveBeenCalledTimes(1);
    });
  });
});
