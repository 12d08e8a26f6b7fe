import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { Decimal } from '../common/money/money';
import { Clock } from '../common/time/clock';
import { PriceRepository, StoredPrice } from '../persistence/price.repository';
import { ProviderAccount } from '../sms-gateway/provider-account';
import { SmsGateway } from '../sms-gateway/sms-gateway';
import { SmsGatewayError } from '../sms-gateway/sms-gateway.error';
import { mapWithConcurrency } from '../common/async/map-with-concurrency';
import { DEFAULT_PRICE_CATALOG_OPTIONS, PRICE_CATALOG_OPTIONS, PriceCatalogOptions } from './price-catalog.options';
import { PricesUnavailableError, UnknownCountryPriceError } from './pricing.errors';

export interface CountryRate {
  /** Outbound price per segment: the estimate. */
  rate: Decimal;
  /** Highest network rate of the country: the worst case. */
  maxRate: Decimal;
  currency: string;
}

type FetchOutcome = { ok: true; price: StoredPrice } | { ok: false; error: unknown };

/**
 * Outbound SMS price per segment and country, cached in the Price table for `ttlMs`. Missing or expired
 * prices are fetched from the provider on demand; a timer renews the ones about to expire.
 */
@Injectable()
export class PriceCatalogService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PriceCatalogService.name);
  private readonly options: PriceCatalogOptions;
  // Concurrent callers needing the same country share one provider request.
  private readonly inFlight = new Map<string, Promise<FetchOutcome>>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly prices: PriceRepository,
    private readonly gateway: SmsGateway,
    private readonly account: ProviderAccount,
    private readonly clock: Clock,
    @Optional() @Inject(PRICE_CATALOG_OPTIONS) options?: Partial<PriceCatalogOptions> | null,
  ) {
    this.options = { ...DEFAULT_PRICE_CATALOG_OPTIONS, ...(options ?? {}) };
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.refreshExpiring(), this.options.refreshCheckMs);
    // The refresh must never keep the process alive on its own.
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.refreshing;
  }

  /**
   * Rates of these countries (ISO alpha-2, any case; keys are upper case). Expired prices are refetched;
   * if that fails the expired price is used with a warning. Throws `UnknownCountryPriceError` listing the
   * countries the provider has no price for, `PricesUnavailableError` when it could not be asked and
   * nothing is stored. Never a silent zero.
   */
  async ratesFor(countries: string[]): Promise<Map<string, CountryRate>> {
    const wanted = [...new Set(countries.map((country) => country.trim().toUpperCase()))];
    if (wanted.length === 0) {
      return new Map();
    }
    const stored = await this.prices.findMany(wanted);
    const now = this.clock.now().getTime();
    const usable = new Map<string, StoredPrice>();
    const due: string[] = [];
    for (const country of wanted) {
      const price = stored.get(country);
      if (price && price.expiresAt.getTime() > now) {
        usable.set(country, price);
      } else {
        due.push(country);
      }
    }

    if (due.length > 0) {
      const outcomes = await this.fetchAndStore(due);
      const unknown: string[] = [];
      const unavailable: string[] = [];
      const stale: string[] = [];
      const errors: string[] = [];
      due.forEach((country, i) => {
        const outcome = outcomes[i];
        const previous = stored.get(country);
        if (outcome.ok) {
          usable.set(country, outcome.price);
        } else if (previous) {
          usable.set(country, previous);
          stale.push(country);
          errors.push(messageOf(outcome.error));
        } else if (isUnknownCountry(outcome.error)) {
          unknown.push(country);
        } else {
          unavailable.push(country);
          errors.push(messageOf(outcome.error));
        }
      });
      if (stale.length > 0) {
        this.logger.warn(
          { countries: stale, errors },
          `Using expired SMS prices for ${stale.join(', ')}: refreshing them failed`,
        );
      }
      if (unknown.length > 0) {
        throw new UnknownCountryPriceError(unknown);
      }
      if (unavailable.length > 0) {
        this.logger.error({ countries: unavailable, errors }, 'Could not fetch SMS prices and none is stored');
        throw new PricesUnavailableError(unavailable);
      }
    }

    return new Map(
      wanted.map((country) => {
        const { rate, maxRate, currency } = usable.get(country)!;
        return [country, { rate, maxRate, currency }];
      }),
    );
  }

  /**
   * Refetches every stored price that expires before the next check, so prices in use never expire.
   * Never rejects: failures are logged and the stored prices stay in use.
   */
  refreshExpiring(): Promise<void> {
    this.refreshing ??= this.refreshOnce().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refreshOnce(): Promise<void> {
    try {
      const horizon = new Date(this.clock.now().getTime() + this.options.refreshCheckMs);
      const due = (await this.prices.findExpiringBefore(horizon)).map((price) => price.country);
      if (due.length === 0) {
        return;
      }
      const outcomes = await this.fetchAndStore(due);
      const failed = due.filter((_, i) => !outcomes[i].ok);
      if (failed.length > 0) {
        const errors = outcomes.flatMap((outcome) => (outcome.ok ? [] : [messageOf(outcome.error)]));
        this.logger.warn(
          { countries: failed, errors },
          `Could not refresh SMS prices for ${failed.join(', ')}; the stored ones stay in use`,
        );
      }
      this.logger.log(`Refreshed ${due.length - failed.length} of ${due.length} SMS prices`);
    } catch (error) {
      this.logger.error({ err: error }, 'SMS price refresh failed');
    }
  }

  /** One outcome per country, in order; successes are stored in one statement. Never rejects. */
  private async fetchAndStore(countries: string[]): Promise<FetchOutcome[]> {
    const own = countries.filter((country) => !this.inFlight.has(country));
    if (own.length > 0) {
      const run = this.fetchBatch(own);
      own.forEach((country, i) => {
        const outcome = run.then((outcomes) => outcomes[i]);
        this.inFlight.set(country, outcome);
        const release = (): void => {
          if (this.inFlight.get(country) === outcome) {
            this.inFlight.delete(country);
          }
        };
        void outcome.then(release, release);
      });
    }
    return Promise.all(countries.map((country) => this.inFlight.get(country)!));
  }

  private async fetchBatch(countries: string[]): Promise<FetchOutcome[]> {
    const outcomes = await mapWithConcurrency(
      countries,
      this.options.fetchConcurrency,
      async (country): Promise<FetchOutcome> => {
        try {
          const fetchedAt = this.clock.now();
          const price = await this.gateway.getCountryPrice(country);
          return {
            ok: true,
            price: {
              country,
              currency: price.currency,
              rate: new Decimal(price.rate),
              maxRate: Decimal.max(price.rate, price.maxRate),
              source: this.account.mode,
              fetchedAt,
              expiresAt: new Date(fetchedAt.getTime() + this.options.ttlMs),
            },
          };
        } catch (error) {
          return { ok: false, error };
        }
      },
    );
    const fresh = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.price] : []));
    if (fresh.length > 0) {
      try {
        await this.prices.upsertMany(fresh);
      } catch (error) {
        // The fetched prices are still right for this request; the next one fetches them again.
        this.logger.error({ err: error }, 'Could not store fetched SMS prices');
      }
    }
    return outcomes;
  }
}

function isUnknownCountry(error: unknown): boolean {
  return error instanceof SmsGatewayError && error.kind === 'permanent';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
