import { Decimal, multiplyRate, sumDecimals, toDecimal } from '../common/money/money';

export interface CountryPrice {
  /** Price of one segment, as Plivo quotes it: a decimal string such as "0.00350". */
  rate: string;
  currency: string;
}

export type PriceLookup = (country: string) => CountryPrice | undefined;

export interface CountryCost {
  country: string;
  recipients: number;
  pricePerSegment: Decimal;
  currency: string;
  /** recipients × segments × pricePerSegment, exact. */
  cost: Decimal;
}

export interface CostBreakdown {
  perCountry: CountryCost[];
  totalCost: Decimal;
  /** The one currency of every price; undefined when there is no recipient. */
  currency: string | undefined;
}

export class UnknownCountryPriceError extends Error {
  constructor(readonly countries: string[]) {
    super(`no SMS price for ${countries.length === 1 ? 'country' : 'countries'} ${countries.join(', ')}`);
    this.name = 'UnknownCountryPriceError';
  }
}

export class MixedCurrencyError extends Error {
  constructor(readonly currencies: string[]) {
    super(`prices are in several currencies (${currencies.join(', ')}); they cannot be added up`);
    this.name = 'MixedCurrencyError';
  }
}

/**
 * Cost of sending one message of `segmentsPerMessage` segments to every recipient, per country and in total.
 * Countries with no price fail the whole calculation: a silent zero would under-quote.
 */
export function calculateCost(
  recipientsPerCountry: Iterable<[string, number]>,
  segmentsPerMessage: number,
  priceOf: PriceLookup,
): CostBreakdown {
  const entries = [...recipientsPerCountry].filter(([, recipients]) => recipients !== 0);
  const unknown = entries.filter(([country]) => priceOf(country) === undefined).map(([country]) => country);
  if (unknown.length > 0) {
    throw new UnknownCountryPriceError(unknown);
  }

  const perCountry = entries.map(([country, recipients]): CountryCost => {
    const price = priceOf(country) as CountryPrice;
    const pricePerSegment = toDecimal(price.rate);
    if (pricePerSegment.isNegative()) {
      throw new RangeError(`negative SMS price for ${country}: ${price.rate}`);
    }
    const cost = multiplyRate(pricePerSegment, segmentsPerMessage, recipients);
    return { country, recipients, pricePerSegment, currency: price.currency, cost };
  });

  const currencies = [...new Set(perCountry.map((entry) => entry.currency))];
  if (currencies.length > 1) {
    throw new MixedCurrencyError(currencies);
  }
  return { perCountry, totalCost: sumDecimals(perCountry.map((entry) => entry.cost)), currency: currencies[0] };
}
